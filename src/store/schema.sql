CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    first_seen INTEGER NOT NULL,  -- ms since the epoch; the window index
    day INTEGER NOT NULL,         -- the item's own date (published, else first seen), ms
    body BLOB NOT NULL
);
CREATE INDEX items_first_seen ON items(first_seen);
-- identifier (arXiv id, DOI, URL, title fingerprint) -> items.id
CREATE TABLE alias (alias TEXT PRIMARY KEY, item INTEGER NOT NULL) WITHOUT ROWID;
-- item key -> date of the digest that carried it
CREATE TABLE sent (key TEXT PRIMARY KEY, date TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE http (url TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE digests (date TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
-- keyed records of every store::Table, by Table::name()
CREATE TABLE kv (tbl TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (tbl, key)) WITHOUT ROWID;
-- small records (source health) and counters, so no command counts a table to print a number
CREATE TABLE meta (name TEXT PRIMARY KEY, n INTEGER NOT NULL DEFAULT 0, body BLOB) WITHOUT ROWID;
INSERT INTO meta (name, n) VALUES ('items', 0);
CREATE TRIGGER items_counted_in AFTER INSERT ON items BEGIN UPDATE meta SET n = n + 1 WHERE name = 'items'; END;
CREATE TRIGGER items_counted_out AFTER DELETE ON items BEGIN UPDATE meta SET n = n - 1 WHERE name = 'items'; END;
-- words of title and abstract for search_items; the text itself stays in items.body only
CREATE VIRTUAL TABLE items_fts USING fts5(title, abstract, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
