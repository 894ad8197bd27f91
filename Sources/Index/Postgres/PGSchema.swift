import Foundation

/// The PostgreSQL index schema as named migrations, beside the SQLite ones (`Schema`). A migration is never edited
/// once released: add a new one. Every scanner host runs them at open, one at a time under an advisory lock.
///
/// What differs from the SQLite schema: every item and folder belongs to the scanner host that reaches it (the
/// same path on two hosts is two items); leases keep two scanners off one root; BYTEA for raw path bytes.
enum PGSchema {
    static let migrations: [(id: String, sql: String)] = [
        ("pg1-scans-items-records", """
        CREATE TABLE scan (
            id BIGSERIAL PRIMARY KEY,
            host TEXT NOT NULL,
            pid BIGINT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'complete', 'interrupted', 'stopped')),
            roots TEXT NOT NULL,
            rules_version TEXT NOT NULL,
            jobs BIGINT NOT NULL,
            new_count BIGINT NOT NULL DEFAULT 0,
            changed_count BIGINT NOT NULL DEFAULT 0,
            unchanged_count BIGINT NOT NULL DEFAULT 0,
            moved_count BIGINT NOT NULL DEFAULT 0,
            gone_count BIGINT NOT NULL DEFAULT 0,
            error_count BIGINT NOT NULL DEFAULT 0,
            item_count BIGINT NOT NULL DEFAULT 0,
            byte_count BIGINT NOT NULL DEFAULT 0,
            as_of TEXT,
            rules_files TEXT
        );
        -- One scanner per root of a host: held while it scans, renewed by its heartbeat, taken over once lapsed.
        CREATE TABLE scan_lease (
            host TEXT NOT NULL,
            root BYTEA NOT NULL,
            root_display TEXT NOT NULL,
            scan_id BIGINT NOT NULL REFERENCES scan(id),
            pid BIGINT NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (host, root)
        );
        CREATE TABLE folder (
            id BIGSERIAL PRIMARY KEY,
            host TEXT NOT NULL,
            path BYTEA NOT NULL,
            last_seen_scan BIGINT NOT NULL REFERENCES scan(id),
            UNIQUE (host, path)
        );
        CREATE TABLE item (
            id BIGSERIAL PRIMARY KEY,
            host TEXT NOT NULL,
            path BYTEA NOT NULL,
            display_path TEXT NOT NULL,
            folder_id BIGINT REFERENCES folder(id),
            parent_id BIGINT REFERENCES item(id) ON DELETE CASCADE,
            top_id BIGINT,
            root TEXT NOT NULL,
            relative_path TEXT NOT NULL,
            name BYTEA NOT NULL,
            kind TEXT NOT NULL,
            size BIGINT NOT NULL DEFAULT 0 CHECK (size >= 0),
            mtime_ns BIGINT,
            ctime_ns BIGINT,
            device BIGINT,
            inode BIGINT,
            nlink BIGINT,
            uid BIGINT,
            owner TEXT,
            mode BIGINT,
            extension TEXT,
            mime TEXT,
            link_target BYTEA,
            error TEXT,
            error_kind TEXT,
            rules_version TEXT NOT NULL,
            first_seen_scan BIGINT NOT NULL REFERENCES scan(id),
            changed_scan BIGINT NOT NULL REFERENCES scan(id),
            gone_scan BIGINT REFERENCES scan(id),
            moved_from TEXT,
            hash_prefix BIGINT,
            hash_suffix BIGINT,
            content_hash TEXT,
            pii TEXT,
            markings TEXT,
            marking TEXT,
            special TEXT,
            retention_class TEXT,
            retention_action TEXT,
            trigger_date TEXT,
            disposal_date TEXT,
            retention_reason TEXT,
            holds TEXT,
            marking_descriptors TEXT,
            read_as TEXT,
            text_source TEXT,
            ocr_pages BIGINT,
            ocr_skipped BIGINT,
            ocr_confidence BIGINT,
            UNIQUE (host, path)
        );
        CREATE INDEX item_by_folder ON item(folder_id);
        CREATE INDEX item_by_identity ON item(host, device, inode);
        CREATE INDEX item_by_parent ON item(parent_id) WHERE parent_id IS NOT NULL;
        CREATE INDEX item_by_top ON item(top_id) WHERE top_id IS NOT NULL;
        CREATE INDEX item_by_fingerprint ON item(size, hash_prefix, hash_suffix, content_hash) WHERE \(PGStore.dupeEligible);
        CREATE INDEX item_by_content ON item(content_hash) WHERE content_hash IS NOT NULL AND \(PGStore.dupeEligible);
        CREATE INDEX item_by_disposal ON item(disposal_date) WHERE gone_scan IS NULL AND disposal_date IS NOT NULL;
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE finding (
            id BIGSERIAL PRIMARY KEY,
            item_id BIGINT NOT NULL REFERENCES item(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('pii', 'marking', 'special')),
            type TEXT NOT NULL,
            value_hash TEXT NOT NULL,
            confidence TEXT NOT NULL,
            location TEXT NOT NULL,
            excerpt TEXT NOT NULL
        );
        CREATE INDEX finding_by_item ON finding(item_id);
        CREATE INDEX finding_by_value ON finding(value_hash) WHERE value_hash != '';
        -- A file that goes takes everything nested in it along; any item gone forgets the duplicate totals.
        CREATE FUNCTION item_gone() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.gone_scan IS NOT NULL AND OLD.gone_scan IS NULL AND NEW.parent_id IS NULL THEN
                UPDATE item SET gone_scan = NEW.gone_scan WHERE top_id = NEW.id AND gone_scan IS NULL;
            END IF;
            IF NEW.gone_scan IS DISTINCT FROM OLD.gone_scan THEN
                DELETE FROM meta WHERE key = 'duplicate_totals';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER item_gone AFTER UPDATE OF gone_scan ON item FOR EACH ROW EXECUTE FUNCTION item_gone();
        CREATE TABLE quarantine (
            id BIGSERIAL PRIMARY KEY,
            item_id BIGINT REFERENCES item(id) ON DELETE SET NULL,
            host TEXT NOT NULL,
            path TEXT NOT NULL,
            path_bytes BYTEA NOT NULL,
            stored_at TEXT NOT NULL,
            size BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            kept_path TEXT NOT NULL,
            moved_by TEXT NOT NULL,
            moved_at TEXT NOT NULL,
            restored_at TEXT
        );
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
        CREATE TABLE disposal_decision (
            id BIGSERIAL PRIMARY KEY,
            host TEXT NOT NULL,
            path BYTEA NOT NULL,
            display_path TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected', 'extended')),
            extend TEXT,
            reviewer TEXT NOT NULL,
            reason TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            class TEXT,
            size BIGINT NOT NULL,
            mtime_ns BIGINT,
            ctime_ns BIGINT,
            device BIGINT,
            inode BIGINT,
            sha256 TEXT
        );
        CREATE INDEX decision_by_path ON disposal_decision(host, path, id);
        CREATE TABLE disposal_log (
            seq BIGINT PRIMARY KEY,
            path TEXT NOT NULL,
            size BIGINT,
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
        CREATE TABLE disposal_quarantine (
            id BIGSERIAL PRIMARY KEY,
            host TEXT NOT NULL,
            path TEXT NOT NULL,
            stored_at BYTEA NOT NULL,
            stored_display TEXT NOT NULL,
            quarantine TEXT NOT NULL,
            size BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            class TEXT,
            moved_at TEXT NOT NULL,
            purge_after TEXT NOT NULL,
            purged_at TEXT,
            purging_at TEXT
        );
        CREATE TABLE disposal_intent (
            id BIGSERIAL PRIMARY KEY,
            host TEXT NOT NULL,
            item_id BIGINT NOT NULL,
            path TEXT NOT NULL,
            path_bytes BYTEA NOT NULL,
            root TEXT NOT NULL,
            stored_at BYTEA NOT NULL,
            quarantine TEXT NOT NULL,
            size BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            class TEXT,
            device BIGINT,
            inode BIGINT,
            reviewer TEXT,
            decided_at TEXT,
            authority TEXT,
            started_at TEXT NOT NULL
        );
        -- Records are never edited or deleted: holds, releases, decisions and the log.
        CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$;
        CREATE TRIGGER hold_no_change BEFORE UPDATE OR DELETE ON hold
            FOR EACH ROW EXECUTE FUNCTION refuse_change('holds are never edited or deleted: release them');
        CREATE TRIGGER hold_release_no_change BEFORE UPDATE OR DELETE ON hold_release
            FOR EACH ROW EXECUTE FUNCTION refuse_change('a hold release is a record: it is never edited or deleted');
        CREATE TRIGGER disposal_decision_no_change BEFORE UPDATE OR DELETE ON disposal_decision
            FOR EACH ROW EXECUTE FUNCTION refuse_change('decisions are append-only: decide again');
        CREATE TRIGGER disposal_log_no_change BEFORE UPDATE OR DELETE ON disposal_log
            FOR EACH ROW EXECUTE FUNCTION refuse_change('the disposal log is append-only');
        CREATE TRIGGER disposal_log_no_truncate BEFORE TRUNCATE ON disposal_log
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the disposal log is append-only');
        """),
    ]

    /// A migration's statements, one at a time (the extended protocol takes one per query): split at a `;` ending
    /// a line, outside `$$` function bodies; `--` comment lines dropped.
    static func statements(_ sql: String) -> [String] {
        var out: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") { continue }
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            current += line + "\n"
            if !inBody && trimmed.hasSuffix(";") {
                out.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { out.append(rest) }
        return out
    }
}
