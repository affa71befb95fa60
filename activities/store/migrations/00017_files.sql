-- +goose Up
-- files: what is attached to a case, a visit or a leader's quarterly submission. The bytes
-- are kept apart (file_blobs, the PostgreSQL blob store; another store may take them
-- later), named by the file's id. A case's file is attached once its file_added event is on
-- the case's timeline (the projection sets attached); until then it is not listed. A
-- visit's or a submission's is attached when written. The same bytes with the same name
-- posted again by the same user to the same parent are the same file.
CREATE TABLE files (
    id            text PRIMARY KEY,
    parent_kind   text NOT NULL CHECK (parent_kind IN ('case', 'visit', 'submission')),
    parent_id     text NOT NULL,
    name          text NOT NULL,
    content_type  text NOT NULL,
    size          bigint NOT NULL CHECK (size > 0),
    sha256        text NOT NULL,
    uploaded_by   text NOT NULL REFERENCES users (username),
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    attached      boolean NOT NULL
);
CREATE INDEX files_parent_idx ON files (parent_kind, parent_id, uploaded_at);
CREATE UNIQUE INDEX files_same_upload_idx ON files (parent_kind, parent_id, uploaded_by, sha256, name);

CREATE TABLE file_blobs (
    id    text PRIMARY KEY,
    data  bytea NOT NULL
);
-- PDFs, Office files and images are compressed already: stored out of line as they are.
ALTER TABLE file_blobs ALTER COLUMN data SET STORAGE EXTERNAL;

-- +goose Down
DROP TABLE file_blobs;
DROP TABLE files;
