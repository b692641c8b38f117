-- geodata schema, first version.
-- PostGIS is the system of record; the service reads it once per collection version.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Reference vocabularies: codes, not free text, so exports map to DCAT.
CREATE TABLE frequencies (
    code     text PRIMARY KEY,             -- EU "frequency" authority code
    uri      text NOT NULL UNIQUE,         -- dct:accrualPeriodicity
    name_vi  text NOT NULL,
    name_en  text NOT NULL,
    max_days integer                       -- a dataset is stale after this many days; NULL = never
);

INSERT INTO frequencies (code, uri, name_vi, name_en, max_days) VALUES
    ('DAILY',      'http://publications.europa.eu/resource/authority/frequency/DAILY',      'Hằng ngày',      'Daily',      2),
    ('WEEKLY',     'http://publications.europa.eu/resource/authority/frequency/WEEKLY',     'Hằng tuần',      'Weekly',     8),
    ('MONTHLY',    'http://publications.europa.eu/resource/authority/frequency/MONTHLY',    'Hằng tháng',     'Monthly',    32),
    ('QUARTERLY',  'http://publications.europa.eu/resource/authority/frequency/QUARTERLY',  'Hằng quý',       'Quarterly',  93),
    ('ANNUAL_2',   'http://publications.europa.eu/resource/authority/frequency/ANNUAL_2',   'Sáu tháng một lần', 'Semiannual', 184),
    ('ANNUAL',     'http://publications.europa.eu/resource/authority/frequency/ANNUAL',     'Hằng năm',       'Annual',     366),
    ('IRREG',      'http://publications.europa.eu/resource/authority/frequency/IRREG',      'Không định kỳ',  'Irregular',  NULL),
    ('NEVER',      'http://publications.europa.eu/resource/authority/frequency/NEVER',      'Không cập nhật', 'Never',      NULL);

CREATE TABLE themes (
    code    text PRIMARY KEY,                -- EU "data theme" authority code (DCAT-AP)
    uri     text NOT NULL UNIQUE,
    name_vi text NOT NULL,
    name_en text NOT NULL
);

INSERT INTO themes (code, uri, name_vi, name_en) VALUES
    ('AGRI', 'http://publications.europa.eu/resource/authority/data-theme/AGRI', 'Nông nghiệp, thủy sản, lâm nghiệp và thực phẩm', 'Agriculture, fisheries, forestry and food'),
    ('ECON', 'http://publications.europa.eu/resource/authority/data-theme/ECON', 'Kinh tế và tài chính', 'Economy and finance'),
    ('EDUC', 'http://publications.europa.eu/resource/authority/data-theme/EDUC', 'Giáo dục, văn hóa và thể thao', 'Education, culture and sport'),
    ('ENER', 'http://publications.europa.eu/resource/authority/data-theme/ENER', 'Năng lượng', 'Energy'),
    ('ENVI', 'http://publications.europa.eu/resource/authority/data-theme/ENVI', 'Môi trường', 'Environment'),
    ('GOVE', 'http://publications.europa.eu/resource/authority/data-theme/GOVE', 'Chính phủ và khu vực công', 'Government and public sector'),
    ('HEAL', 'http://publications.europa.eu/resource/authority/data-theme/HEAL', 'Y tế', 'Health'),
    ('INTR', 'http://publications.europa.eu/resource/authority/data-theme/INTR', 'Quan hệ quốc tế', 'International issues'),
    ('JUST', 'http://publications.europa.eu/resource/authority/data-theme/JUST', 'Tư pháp, hệ thống pháp luật và an toàn công cộng', 'Justice, legal system and public safety'),
    ('REGI', 'http://publications.europa.eu/resource/authority/data-theme/REGI', 'Vùng và đô thị', 'Regions and cities'),
    ('SOCI', 'http://publications.europa.eu/resource/authority/data-theme/SOCI', 'Dân số và xã hội', 'Population and society'),
    ('TECH', 'http://publications.europa.eu/resource/authority/data-theme/TECH', 'Khoa học và công nghệ', 'Science and technology'),
    ('TRAN', 'http://publications.europa.eu/resource/authority/data-theme/TRAN', 'Giao thông vận tải', 'Transport');

CREATE TABLE licenses (
    uri         text PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    title       text NOT NULL,
    open        boolean NOT NULL
);

INSERT INTO licenses (uri, code, title, open) VALUES
    ('https://creativecommons.org/licenses/by/4.0/',       'CC-BY-4.0',    'Creative Commons Attribution 4.0 International', true),
    ('https://creativecommons.org/publicdomain/zero/1.0/', 'CC0-1.0',      'Creative Commons Zero 1.0 Universal', true),
    ('https://opendatacommons.org/licenses/odbl/1-0/',     'ODbL-1.0',     'Open Data Commons Open Database License 1.0', true),
    ('https://creativecommons.org/licenses/by-sa/4.0/',    'CC-BY-SA-4.0', 'Creative Commons Attribution-ShareAlike 4.0 International', true);

-- Agencies are data, not code: departments are renamed and merged (2025), so they
-- carry their validity and successor from the start.
CREATE TABLE agencies (
    id           text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name         text NOT NULL,
    name_en      text NOT NULL DEFAULT '',
    kind         text NOT NULL DEFAULT 'department' CHECK (kind IN ('department', 'peoples-committee', 'other')),
    valid_from   date,
    valid_to     date,
    successor_id text REFERENCES agencies (id),
    note         text NOT NULL DEFAULT '',
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from)
);

CREATE TABLE collections (
    id                  text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    catalog_no          integer,                             -- "TT" of the official template
    title               text NOT NULL,                       -- Tên tập dữ liệu (Vietnamese)
    title_en            text NOT NULL DEFAULT '',
    description         text NOT NULL DEFAULT '',            -- Mô tả
    agency_id           text REFERENCES agencies (id),       -- Đơn vị chủ trì cung cấp
    first_published     date,                                -- Ngày cung cấp lần đầu
    frequency           text NOT NULL DEFAULT 'IRREG' REFERENCES frequencies (code), -- Tần suất cung cấp
    notes               text NOT NULL DEFAULT '',            -- Ghi chú
    theme               text REFERENCES themes (code),       -- Nhóm chủ đề
    license_uri         text NOT NULL DEFAULT 'https://creativecommons.org/licenses/by/4.0/' REFERENCES licenses (uri),
    license_attribution text NOT NULL DEFAULT '',
    keywords            text[] NOT NULL DEFAULT '{}',
    contact             text NOT NULL DEFAULT '',
    temporal_property   text,                                -- property holding the feature's date, if any
    geometry_type       text CHECK (geometry_type IN ('Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection')),
    schema              jsonb NOT NULL DEFAULT '[]',          -- [{"name":..., "type":...}] in source order
    extent              double precision[] CHECK (extent IS NULL OR cardinality(extent) = 4), -- minlon, minlat, maxlon, maxlat
    feature_count       bigint NOT NULL DEFAULT 0,
    version             bigint NOT NULL DEFAULT 0,           -- bumped by every write
    generation          bigint,                              -- partition of features holding the current version
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- One generation = one import's features, built aside in its own table and attached
-- as a partition in one transaction; old generations are kept for downloads and rollback.
CREATE SEQUENCE feature_generations;

CREATE TABLE features (
    generation    bigint NOT NULL,
    collection_id text NOT NULL,
    id            text NOT NULL,           -- stable across re-imports: source id or hash of the record
    num_id        bigint NOT NULL,         -- numeric id for MVT and map feature-state (< 2^53)
    ord           bigint NOT NULL,         -- position in the source, for a stable default order
    geom          geometry(Geometry, 4326) NOT NULL,
    properties    jsonb NOT NULL DEFAULT '{}'
) PARTITION BY LIST (generation);

CREATE TABLE collection_versions (
    collection_id text NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    version       bigint NOT NULL,
    generation    bigint NOT NULL,
    action        text NOT NULL,           -- import-replace, import-append, import-upsert, create, replace, update, delete, rollback
    created_at    timestamptz NOT NULL DEFAULT now(),
    source_name   text,
    source_sha256 text,
    source_format text,
    rows_read     bigint NOT NULL DEFAULT 0,
    rows_accepted bigint NOT NULL DEFAULT 0,
    rows_rejected bigint NOT NULL DEFAULT 0,
    feature_count bigint NOT NULL DEFAULT 0,
    actor         text NOT NULL,           -- OS user for the CLI, token name for the API
    token_id      bigint,
    agency_id     text,
    changed_ids   text[],                  -- for item writes: the delta
    report        jsonb,
    PRIMARY KEY (collection_id, version)
);

CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    agency_id    text REFERENCES agencies (id),
    is_admin     boolean NOT NULL DEFAULT false,
    name         text NOT NULL DEFAULT '',
    hash         bytea NOT NULL UNIQUE,     -- sha256 of the secret; the secret itself is never stored
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    CHECK (is_admin OR agency_id IS NOT NULL)
);

CREATE TABLE import_jobs (
    id             bigserial PRIMARY KEY,
    collection_id  text NOT NULL,
    state          text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    progress       real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    options        jsonb NOT NULL DEFAULT '{}',
    report         jsonb,
    result_version bigint,
    error          text,
    token_id       bigint REFERENCES api_tokens (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz
);

CREATE TABLE feedback (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('dataset', 'feature', 'request')),
    collection_id text REFERENCES collections (id) ON DELETE SET NULL,
    feature_id    text,
    message       text NOT NULL CHECK (length(message) BETWEEN 1 AND 4000),
    contact       text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    answer        text,
    answered_by   bigint REFERENCES api_tokens (id),
    answered_at   timestamptz,
    votes         integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_collection ON feedback (collection_id, status);
