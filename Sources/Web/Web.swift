/// Web: the records managers' pages and the scan report, server-rendered from the index.
///
/// ``WebApp`` builds the Hummingbird router: a session gate (token link or password, then an HttpOnly
/// cookie), CSRF checks on every form, and one page type per view (overview, disposal review, holds,
/// duplicates, item). ``ScanReport`` writes the one-file HTML report. Both read the index through
/// ``SweepIndex``; only review decisions and holds write, through the same APIs the CLI uses.
public enum Web {}
