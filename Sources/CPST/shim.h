#include <libpst/libpst.h>
