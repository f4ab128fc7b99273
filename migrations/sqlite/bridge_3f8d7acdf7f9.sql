-- Quay's schema on SQLite from Alembic revision 3f8d7acdf7f9 (mirror-registry 2.x) to 9fa37f66a9b6,
-- the difference of the two schemas as Quay's migrations between them leave it: the geo-restriction
-- table goes, OAuth tokens gain their access and creation times and display name, repository
-- mirrors their skopeo timeout and architecture filter, tags their immutability; e-mail addresses
-- are unique among users only (not organizations); pull statistics, immutability policies,
-- organization mirrors, contact e-mails, namespace and quota notifications get their tables.
-- New lookup rows (log kinds, media types...) are added by name by `quay migrate omr`.
DROP TABLE namespacegeorestriction;

ALTER TABLE oauthaccesstoken ADD COLUMN last_accessed DATETIME;

ALTER TABLE oauthaccesstoken ADD COLUMN created DATETIME;

ALTER TABLE oauthaccesstoken ADD COLUMN display_name VARCHAR(255);

ALTER TABLE repomirrorconfig ADD COLUMN skopeo_timeout BIGINT DEFAULT '300' NOT NULL;

ALTER TABLE repomirrorconfig ADD COLUMN architecture_filter TEXT;

ALTER TABLE tag ADD COLUMN immutable BOOLEAN DEFAULT '0' NOT NULL;

DROP INDEX user_email;

CREATE TABLE "tagpullstatistics" (
    id INTEGER NOT NULL,
    repository_id INTEGER NOT NULL,
    tag_name VARCHAR(255) NOT NULL,
    tag_pull_count BIGINT NOT NULL,
    last_tag_pull_date DATETIME NOT NULL,
    current_manifest_digest VARCHAR(255),
    CONSTRAINT pk_tagpullstatistics PRIMARY KEY (id),
    CONSTRAINT fk_tagpullstatistics_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
);

CREATE TABLE "manifestpullstatistics" (
    id INTEGER NOT NULL,
    repository_id INTEGER NOT NULL,
    manifest_digest VARCHAR(255) NOT NULL,
    manifest_pull_count BIGINT NOT NULL,
    last_manifest_pull_date DATETIME NOT NULL,
    CONSTRAINT pk_manifestpullstatistics PRIMARY KEY (id),
    CONSTRAINT fk_manifestpullstatistics_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
);

CREATE TABLE "orgmirrorconfig" (
    id INTEGER NOT NULL,
    organization_id INTEGER NOT NULL,
    creation_date DATETIME NOT NULL,
    is_enabled BOOLEAN DEFAULT (1) NOT NULL,
    mirror_type INTEGER DEFAULT '1' NOT NULL,
    external_registry_type INTEGER NOT NULL,
    external_registry_url VARCHAR(2048) NOT NULL,
    external_namespace VARCHAR(255) NOT NULL,
    external_registry_username VARCHAR(4096),
    external_registry_password VARCHAR(9000),
    external_registry_config TEXT NOT NULL,
    internal_robot_id INTEGER NOT NULL,
    repository_filters TEXT NOT NULL,
    visibility_id INTEGER NOT NULL,
    delete_stale_repos BOOLEAN DEFAULT (0) NOT NULL,
    sync_interval INTEGER NOT NULL,
    sync_start_date DATETIME,
    sync_expiration_date DATETIME,
    sync_retries_remaining INTEGER DEFAULT '3' NOT NULL,
    sync_status INTEGER DEFAULT '0' NOT NULL,
    sync_transaction_id VARCHAR(36),
    skopeo_timeout BIGINT DEFAULT '300' NOT NULL, architecture_filter TEXT DEFAULT '[]' NOT NULL,
    CONSTRAINT pk_orgmirrorconfig PRIMARY KEY (id),
    CONSTRAINT fk_orgmirrorconfig_organization_id_user FOREIGN KEY(organization_id) REFERENCES user (id),
    CONSTRAINT fk_orgmirrorconfig_internal_robot_id_user FOREIGN KEY(internal_robot_id) REFERENCES user (id),
    CONSTRAINT fk_orgmirrorconfig_visibility_id_visibility FOREIGN KEY(visibility_id) REFERENCES visibility (id)
);

CREATE TABLE "orgmirrorrepository" (
    id INTEGER NOT NULL,
    org_mirror_config_id INTEGER NOT NULL,
    repository_name VARCHAR(255) NOT NULL,
    repository_id INTEGER,
    discovery_date DATETIME NOT NULL,
    sync_status INTEGER DEFAULT '0' NOT NULL,
    sync_start_date DATETIME,
    sync_expiration_date DATETIME,
    last_sync_date DATETIME,
    status_message TEXT,
    creation_date DATETIME NOT NULL, sync_retries_remaining INTEGER DEFAULT '3' NOT NULL, sync_transaction_id VARCHAR(36),
    CONSTRAINT pk_orgmirrorrepository PRIMARY KEY (id),
    CONSTRAINT fk_orgmirrorrepository_org_mirror_config_id_orgmirrorconfig FOREIGN KEY(org_mirror_config_id) REFERENCES orgmirrorconfig (id),
    CONSTRAINT fk_orgmirrorrepository_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id)
);

CREATE TABLE "namespaceimmutabilitypolicy" (
    id INTEGER NOT NULL,
    uuid VARCHAR(36) NOT NULL,
    namespace_id INTEGER NOT NULL,
    policy TEXT NOT NULL,
    CONSTRAINT pk_namespaceimmutabilitypolicyid PRIMARY KEY (id),
    CONSTRAINT fk_namespaceimmutabilitypolicy_namespace_id_user FOREIGN KEY(namespace_id) REFERENCES user (id)
);

CREATE TABLE "repositoryimmutabilitypolicy" (
    id INTEGER NOT NULL,
    uuid VARCHAR(36) NOT NULL,
    repository_id INTEGER NOT NULL,
    namespace_id INTEGER NOT NULL,
    policy TEXT NOT NULL,
    CONSTRAINT pk_repositoryimmutabilitypolicyid PRIMARY KEY (id),
    CONSTRAINT fk_repositoryimmutabilitypolicy_repository_id_repository FOREIGN KEY(repository_id) REFERENCES repository (id),
    CONSTRAINT fk_repositoryimmutabilitypolicy_namespace_id_user FOREIGN KEY(namespace_id) REFERENCES user (id)
);

CREATE TABLE "organizationcontactemail" (
    id INTEGER NOT NULL,
    organization_id INTEGER NOT NULL,
    contact_email VARCHAR(255),
    CONSTRAINT pk_organizationcontactemail PRIMARY KEY (id),
    CONSTRAINT fk_organizationcontactemail_organization_id_user FOREIGN KEY(organization_id) REFERENCES user (id)
);

CREATE TABLE "namespacenotification" (
    id INTEGER NOT NULL,
    uuid VARCHAR(255) NOT NULL,
    namespace_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    method_id INTEGER NOT NULL,
    title VARCHAR(255),
    config_json TEXT NOT NULL,
    event_config_json TEXT DEFAULT '{}' NOT NULL,
    number_of_failures INTEGER DEFAULT '0' NOT NULL,
    last_ran_ms BIGINT,
    CONSTRAINT pk_namespacenotification PRIMARY KEY (id),
    CONSTRAINT fk_namespacenotification_namespace_id FOREIGN KEY(namespace_id) REFERENCES user (id),
    CONSTRAINT fk_namespacenotification_event_id FOREIGN KEY(event_id) REFERENCES externalnotificationevent (id),
    CONSTRAINT fk_namespacenotification_method_id FOREIGN KEY(method_id) REFERENCES externalnotificationmethod (id)
);

CREATE TABLE "quotanotificationstate" (
    id INTEGER NOT NULL,
    namespace_id INTEGER NOT NULL,
    threshold_percent INTEGER NOT NULL,
    last_notified_at DATETIME,
    cleared BOOLEAN DEFAULT '1' NOT NULL,
    CONSTRAINT pk_quotanotificationstate PRIMARY KEY (id),
    CONSTRAINT fk_quotanotificationstate_namespace_id FOREIGN KEY(namespace_id) REFERENCES user (id)
);

CREATE INDEX tag_repository_id_immutable ON tag (repository_id, immutable);

CREATE INDEX tag_manifest_id_immutable ON tag (manifest_id, immutable);

CREATE INDEX tag_manifest_id_lifetime_end_ms ON tag (manifest_id, lifetime_end_ms);

CREATE INDEX oauthaccesstoken_application_id_last_accessed ON oauthaccesstoken (application_id, last_accessed);

CREATE UNIQUE INDEX user_email_unique_non_org ON "user"(email) WHERE organization = false;

CREATE INDEX user_email_idx ON user (email);

CREATE UNIQUE INDEX tagpullstatistics_repository_id_tag_name ON tagpullstatistics (repository_id, tag_name);

CREATE UNIQUE INDEX manifestpullstatistics_repository_id_manifest_digest ON manifestpullstatistics (repository_id, manifest_digest);

CREATE UNIQUE INDEX orgmirrorconfig_organization_id ON orgmirrorconfig (organization_id);

CREATE INDEX orgmirrorconfig_internal_robot_id ON orgmirrorconfig (internal_robot_id);

CREATE INDEX orgmirrorconfig_sync_status ON orgmirrorconfig (sync_status);

CREATE INDEX orgmirrorconfig_sync_start_date ON orgmirrorconfig (sync_start_date);

CREATE INDEX orgmirrorrepository_org_mirror_config_id ON orgmirrorrepository (org_mirror_config_id);

CREATE INDEX orgmirrorrepository_repository_id ON orgmirrorrepository (repository_id);

CREATE INDEX orgmirrorrepository_sync_status ON orgmirrorrepository (sync_status);

CREATE UNIQUE INDEX orgmirrorrepository_config_repo_name ON orgmirrorrepository (org_mirror_config_id, repository_name);

CREATE INDEX orgmirrorrepository_config_status ON orgmirrorrepository (org_mirror_config_id, sync_status);

CREATE INDEX namespaceimmutabilitypolicy_namespace_id ON namespaceimmutabilitypolicy (namespace_id);

CREATE UNIQUE INDEX namespaceimmutabilitypolicy_uuid ON namespaceimmutabilitypolicy (uuid);

CREATE INDEX repositoryimmutabilitypolicy_repository_id ON repositoryimmutabilitypolicy (repository_id);

CREATE INDEX repositoryimmutabilitypolicy_namespace_id ON repositoryimmutabilitypolicy (namespace_id);

CREATE UNIQUE INDEX repositoryimmutabilitypolicy_uuid ON repositoryimmutabilitypolicy (uuid);

CREATE UNIQUE INDEX organizationcontactemail_organization_id ON organizationcontactemail (organization_id);

CREATE INDEX organizationcontactemail_contact_email ON organizationcontactemail (contact_email);

CREATE INDEX namespacenotification_uuid ON namespacenotification (uuid);

CREATE INDEX namespacenotification_namespace_id ON namespacenotification (namespace_id);

CREATE INDEX quotanotificationstate_namespace_id ON quotanotificationstate (namespace_id);

CREATE UNIQUE INDEX quotanotificationstate_namespace_threshold ON quotanotificationstate (namespace_id, threshold_percent);

UPDATE alembic_version SET version_num = '9fa37f66a9b6';
