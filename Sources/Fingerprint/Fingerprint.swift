/// Fingerprint: content identities, cheapest first.
///
/// Duplicates are found in stages ordered by I/O cost (as fclones does): items are grouped by size, then by
/// ``Sample`` hashes of their first and last 4 KiB, and only the survivors are read whole for their
/// ``ContentHash`` (XXH3-128). ``StreamHasher`` computes all three from one pass over any byte stream, so
/// an archive member or a mail attachment hashed while it is extracted joins the same duplicate sets as a
/// file on disk. ``FileDigest`` reads files through one fixed buffer, never a whole file in memory.
public enum Fingerprint {
    /// Bytes in a prefix or suffix sample.
    public static let sampleSize = 4096
    /// Files up to this size are read whole at the first stage (``FileDigest/all``): one open instead of three.
    public static let wholeReadSize = 64 << 10
}
