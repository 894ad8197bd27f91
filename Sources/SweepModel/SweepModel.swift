/// SweepModel: the value types that cross stage boundaries.
///
/// The crawler, the index, the scanner and the command line all speak in these types:
/// ``ItemPath`` (raw path bytes, shown with `\xNN` escapes), ``FileID`` (device + inode),
/// ``ByteCount``, ``ItemKind``, ``Glob`` (the one glob dialect of excludes and rules),
/// ``Timestamp``, ``ScanSummary`` and ``Detection``. The one piece of I/O is ``VerifiedFile``, the single
/// safe way every stage opens an item's content.
public enum SweepModel {}
