/// Index: the one SQLite file a scan writes and every other command reads (GRDB, WAL).
///
/// ``SweepIndex`` opens or creates it (mode 0600, named migrations in ``Schema``); ``ScanLock`` keeps a
/// second scan out; ``ScanWriter`` takes the scanner's results in batched transactions so a killed scan
/// leaves everything it committed; ``ItemRecord`` is one item as stored; ``IndexError`` says what to fix.
public enum Index {}
