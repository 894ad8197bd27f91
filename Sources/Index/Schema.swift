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
        m.registerMigration("v2-fingerprints") { db in
            try db.execute(sql: """
                ALTER TABLE item ADD COLUMN hash_prefix INTEGER;
                ALTER TABLE item ADD COLUMN hash_suffix INTEGER;
                ALTER TABLE item ADD COLUMN content_hash TEXT;
                CREATE INDEX item_by_fingerprint ON item(size, hash_prefix, hash_suffix, content_hash)
                    WHERE gone_scan IS NULL AND error IS NULL AND size > 0 AND kind IN ('file', 'member', 'attachment');
                CREATE INDEX item_by_content ON item(content_hash)
                    WHERE content_hash IS NOT NULL AND gone_scan IS NULL AND error IS NULL AND size > 0
                        AND kind IN ('file', 'member', 'attachment');
                CREATE TABLE quarantine (
                    id INTEGER PRIMARY KEY,
                    item_id INTEGER REFERENCES item(id) ON DELETE SET NULL,
                    path TEXT NOT NULL,
                    path_bytes BLOB NOT NULL,
                    stored_at TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    kept_path TEXT NOT NULL,
                    moved_by TEXT NOT NULL,
                    moved_at TEXT NOT NULL,
                    restored_at TEXT
                );
                """)
        }
        m.registerMigration("v3-detection") { db in
            try db.execute(sql: """
                ALTER TABLE item ADD COLUMN pii TEXT;
                ALTER TABLE item ADD COLUMN markings TEXT;
                ALTER TABLE item ADD COLUMN marking TEXT;
                ALTER TABLE item ADD COLUMN special TEXT;
                CREATE TABLE finding (
                    id INTEGER PRIMARY KEY,
                    item_id INTEGER NOT NULL REFERENCES item(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL CHECK (kind IN ('pii', 'marking', 'special')),
                    type TEXT NOT NULL,
                    value_hash TEXT NOT NULL,
                    confidence TEXT NOT NULL,
                    location TEXT NOT NULL,
                    excerpt TEXT NOT NULL
                );
                CREATE INDEX finding_by_item ON finding(item_id);
                CREATE INDEX finding_by_value ON finding(value_hash) WHERE value_hash != '';
                -- The key for the keyed hashes of personal-data values: this index's own, never exported.
                INSERT INTO meta (key, value) VALUES ('hmac_key', lower(hex(randomblob(32))));
                """)
        }
        m.registerMigration("v4-retention") { db in
            try db.execute(sql: """
                ALTER TABLE item ADD COLUMN retention_class TEXT;
                ALTER TABLE item ADD COLUMN retention_action TEXT;
                ALTER TABLE item ADD COLUMN trigger_date TEXT;
                ALTER TABLE item ADD COLUMN disposal_date TEXT;
                ALTER TABLE item ADD COLUMN retention_reason TEXT;
                ALTER TABLE item ADD COLUMN holds TEXT;
                ALTER TABLE scan ADD COLUMN as_of TEXT;
                CREATE INDEX item_by_disposal ON item(disposal_date) WHERE gone_scan IS NULL AND disposal_date IS NOT NULL;
                """)
        }
        m.registerMigration("v5-nested-items") { db in
            try db.execute(sql: """
                ALTER TABLE item ADD COLUMN top_id INTEGER;
                CREATE INDEX item_by_top ON item(top_id) WHERE top_id IS NOT NULL;
                -- Content-level problems (encrypted, corrupt, limit, timeout) leave the bytes readable and hashable:
                -- such items still take part in duplicate sets. Mail messages with bytes of their own do too.
                DROP INDEX item_by_fingerprint;
                DROP INDEX item_by_content;
                CREATE INDEX item_by_fingerprint ON item(size, hash_prefix, hash_suffix, content_hash)
                    WHERE \(SweepIndex.dupeEligible);
                CREATE INDEX item_by_content ON item(content_hash)
                    WHERE content_hash IS NOT NULL AND \(SweepIndex.dupeEligible);
                -- A file that goes takes everything nested in it along.
                CREATE TRIGGER item_gone_nested AFTER UPDATE OF gone_scan ON item
                    WHEN NEW.gone_scan IS NOT NULL AND OLD.gone_scan IS NULL AND NEW.parent_id IS NULL
                BEGIN
                    UPDATE item SET gone_scan = NEW.gone_scan WHERE top_id = NEW.id AND gone_scan IS NULL;
                END;
                """)
        }
        m.registerMigration("v6-disposal") { db in
            try db.execute(sql: """
                -- Holds placed with `sweep hold add`: never deleted; a release is its own row.
                CREATE TABLE hold (
                    id TEXT PRIMARY KEY,
                    reason TEXT NOT NULL,
                    authority TEXT NOT NULL,
                    scope TEXT NOT NULL,
                    start_date TEXT NOT NULL,
                    review_date TEXT,
                    placed_by TEXT NOT NULL,
                    placed_at TEXT NOT NULL
                );
                CREATE TABLE hold_release (
                    hold_id TEXT PRIMARY KEY REFERENCES hold(id),
                    released_by TEXT NOT NULL,
                    released_at TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE TRIGGER hold_no_delete BEFORE DELETE ON hold
                BEGIN SELECT RAISE(ABORT, 'holds are never deleted: release them'); END;
                CREATE TRIGGER hold_no_update BEFORE UPDATE ON hold
                BEGIN SELECT RAISE(ABORT, 'holds are not edited: release and add another'); END;
                CREATE TRIGGER hold_release_no_delete BEFORE DELETE ON hold_release
                BEGIN SELECT RAISE(ABORT, 'a hold release is a record: it is never deleted'); END;
                CREATE TRIGGER hold_release_no_update BEFORE UPDATE ON hold_release
                BEGIN SELECT RAISE(ABORT, 'a hold release is a record: it is never edited'); END;
                -- Review decisions, append-only: the latest row for a path wins while the item is unchanged.
                CREATE TABLE disposal_decision (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    path BLOB NOT NULL,
                    display_path TEXT NOT NULL,
                    decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'extended')),
                    extend TEXT,
                    reviewer TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    decided_at TEXT NOT NULL,
                    class TEXT,
                    size INTEGER NOT NULL,
                    mtime_ns INTEGER,
                    ctime_ns INTEGER,
                    device INTEGER,
                    inode INTEGER,
                    sha256 TEXT
                );
                CREATE INDEX decision_by_path ON disposal_decision(path, id);
                CREATE TRIGGER disposal_decision_no_update BEFORE UPDATE ON disposal_decision
                BEGIN SELECT RAISE(ABORT, 'decisions are append-only: decide again'); END;
                CREATE TRIGGER disposal_decision_no_delete BEFORE DELETE ON disposal_decision
                BEGIN SELECT RAISE(ABORT, 'decisions are append-only: decide again'); END;
                -- The record of disposal (s.46 Code of Practice): a hash chain, append-only.
                CREATE TABLE disposal_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    path TEXT NOT NULL,
                    size INTEGER,
                    sha256 TEXT,
                    class TEXT,
                    action TEXT NOT NULL,
                    authority TEXT,
                    reviewer TEXT,
                    decision_date TEXT,
                    act_date TEXT NOT NULL,
                    detail TEXT,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE TRIGGER disposal_log_no_update BEFORE UPDATE ON disposal_log
                BEGIN SELECT RAISE(ABORT, 'the disposal log is append-only'); END;
                CREATE TRIGGER disposal_log_no_delete BEFORE DELETE ON disposal_log
                BEGIN SELECT RAISE(ABORT, 'the disposal log is append-only'); END;
                -- Copies moved aside by a destroy, waiting out their grace period.
                CREATE TABLE disposal_quarantine (
                    id INTEGER PRIMARY KEY,
                    path TEXT NOT NULL,
                    stored_at BLOB NOT NULL,
                    stored_display TEXT NOT NULL,
                    quarantine TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    class TEXT,
                    moved_at TEXT NOT NULL,
                    purge_after TEXT NOT NULL,
                    purged_at TEXT
                );
                """)
        }
        m.registerMigration("v7-marking-descriptors") { db in
            try db.execute(sql: "ALTER TABLE item ADD COLUMN marking_descriptors TEXT")
        }
        m.registerMigration("v8-partial-parent-index") { db in
            // Only nested items have a parent: files and folders (most rows) no longer each add an entry.
            try db.execute(sql: """
                DROP INDEX item_by_parent;
                CREATE INDEX item_by_parent ON item(parent_id) WHERE parent_id IS NOT NULL;
                """)
        }
        m.registerMigration("v9-duplicate-totals") { db in
            // A scan that wrote nothing reuses the last duplicate totals; an item marked gone anywhere (a scan,
            // a quarantine, a disposal) forgets them.
            try db.execute(sql: """
                CREATE TRIGGER item_gone_forgets_totals AFTER UPDATE OF gone_scan ON item
                    WHEN NEW.gone_scan IS NOT OLD.gone_scan
                BEGIN
                    DELETE FROM meta WHERE key = 'duplicate_totals';
                END;
                """)
        }
        m.registerMigration("v10-read-as-coverage") { db in
            // How each item was read (the export's read_as and text_source, and the coverage account), and the
            // rules files each scan had in force.
            try db.execute(sql: """
                ALTER TABLE item ADD COLUMN read_as TEXT;
                ALTER TABLE item ADD COLUMN text_source TEXT;
                ALTER TABLE scan ADD COLUMN rules_files TEXT;
                """)
        }
        m.registerMigration("v11-disposal-intent") { db in
            // A destroy is written here before anything moves, and removed once the copy, its quarantine row, its
            // log row and its manifest line are all there: an interrupted run is finished or undone by the next.
            try db.execute(sql: """
                CREATE TABLE disposal_intent (
                    id INTEGER PRIMARY KEY,
                    item_id INTEGER NOT NULL,
                    path TEXT NOT NULL,
                    path_bytes BLOB NOT NULL,
                    root TEXT NOT NULL,
                    stored_at BLOB NOT NULL,
                    quarantine TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    class TEXT,
                    device INTEGER,
                    inode INTEGER,
                    reviewer TEXT,
                    decided_at TEXT,
                    authority TEXT,
                    started_at TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("v12-purge-intent") { db in
            // Set just before a quarantined copy is deleted: a purge killed after the deletion is finished by the next.
            try db.execute(sql: "ALTER TABLE disposal_quarantine ADD COLUMN purging_at TEXT")
        }
        m.registerMigration("v13-ocr") { db in
            // Scanned pages: how many were recognised, how many the page limit left, Tesseract's mean confidence.
            try db.execute(sql: "ALTER TABLE item ADD COLUMN ocr_pages INTEGER")
            try db.execute(sql: "ALTER TABLE item ADD COLUMN ocr_skipped INTEGER")
            try db.execute(sql: "ALTER TABLE item ADD COLUMN ocr_confidence INTEGER")
        }
        return m
    }
}
