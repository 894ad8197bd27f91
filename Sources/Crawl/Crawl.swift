/// Crawl: roots + excludes -> a stream of directory listings, each entry with its `lstat`; never content.
///
/// ``Walker`` runs `jobs` threads over a shared stack of folders (openat/readdir + fstatat, no FileManager),
/// handing each folder's ``Listing`` to a visitor on the thread that read it, so the visitor's own reads
/// share the same bound on requests in flight. ``FileStat`` is what stat says; ``CrawlError`` what went wrong.
public enum Crawl {}
