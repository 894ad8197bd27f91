import GRDB

/// The index schema as named migrations. A migration is never edited once released: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-scans-folders-items") { db in
            try db.execute(sql: """
                CREATE TABLE scan (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    state TEXT NOT NULL DEFAULT 'running'
                        CHECK (state IN ('running', 'complete', 'interrupted', 'stopped')),
                    roots TEXT NOT NULL,
                    rules_version TEXT NOT NULL,
                    jobs INTEGER NOT NULL,
                    new_count INTEGER NOT NULL DEFAULT 0,
                    changed_count INTEGER NOT NULL DEFAULT 0,
                    unchanged_count INTEGER NOT NULL DEFAULT 0,
                    moved_count INTEGER NOT NULL DEFAULT 0,
                    gone_count INTEGER NOT NULL DEFAULT 0,
                    error_count INTEGER NOT NULL DEFAULT 0,
                    item_count INTEGER NOT NULL DEFAULT 0,
                    byte_count INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE folder (
                    id INTEGER PRIMARY KEY,
                    path BLOB NOT NULL UNIQUE,
                    last_seen_scan INTEGER NOT NULL REFERENCES scan(id)
                );
                CREATE TABLE item (
                    id INTEGER PRIMARY KEY,
                    path BLOB NOT NULL UNIQUE,
                    display_path TEXT NOT NULL,
                    folder_id INTEGER REFERENCES folder(id),
                    parent_id INTEGER REFERENCES item(id) ON DELETE CASCADE,
                    root TEXT NOT NULL,
                    relative_path TEXT NOT NULL,
                    name BLOB NOT NULL,
                    kind TEXT NOT NULL,
                    size INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
                    mtime_ns INTEGER,
                    ctime_ns INTEGER,
                    device INTEGER,
                    inode INTEGER,
                    nlink INTEGER,
                    uid INTEGER,
                    owner TEXT,
                    mode INTEGER,
                    extension TEXT,
                    mime TEXT,
                    link_target BLOB,
                    error TEXT,
                    error_kind TEXT,
                    rules_version TEXT NOT NULL,
                    first_seen_scan INTEGER NOT NULL REFERENCES scan(id),
                    changed_scan INTEGER NOT NULL REFERENCES scan(id),
                    gone_scan INTEGER REFERENCES scan(id),
                    moved_from TEXT
                );
                CREATE INDEX item_by_folder ON item(folder_id);
                CREATE INDEX item_by_identity ON item(device, inode);
                CREATE INDEX item_by_parent ON item(parent_id);
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        return m
    }
}
