-- Logs uploaded, fetched through the link proxy, or preloaded.
CREATE TABLE logs (
    id TEXT PRIMARY KEY,
    created_ms BIGINT NOT NULL,
    -- The `file` of its summary: the uploader's file name, the fetched URL, or the id.
    name TEXT NOT NULL,
    -- `url:<URL>` for the link proxy, `preload:<file>` for --preload, NULL for uploads.
    origin TEXT UNIQUE,
    body BYTEA NOT NULL,
    size BIGINT NOT NULL,
    annotations TEXT,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    title TEXT,
    culprit TEXT
);
CREATE INDEX logs_by_created ON logs (created_ms DESC, id DESC);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL,
    culprit TEXT,
    candidates TEXT NOT NULL,
    error TEXT,
    tested_commits BIGINT NOT NULL,
    cancel_requested BIGINT NOT NULL,
    claimed_by TEXT,
    heartbeat_ms BIGINT NOT NULL,
    -- Bumped on each claim, so a worker that lost its claim cannot write.
    attempt BIGINT NOT NULL,
    -- The next job_lines.seq: numbers are never reused, even for dropped lines.
    next_line BIGINT NOT NULL,
    -- The engine's latest progress report (JSON), for display only.
    progress TEXT
);
CREATE INDEX jobs_by_state ON jobs (state, created_ms);

-- One row per finished step: the engine's record, passed back on resume.
CREATE TABLE job_steps (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    seq BIGINT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- The job's log, line by line, as it is written.
CREATE TABLE job_lines (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    seq BIGINT NOT NULL,
    -- The number of finished steps when the line was written: lines of a step
    -- that never finished are dropped when the job resumes.
    step BIGINT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
