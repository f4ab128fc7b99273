//! sea-orm entities for the Quay tables the registry reads and writes. Column names and types are
//! Quay's (`migrations/`); relations are left out where the queries join by hand.

macro_rules! entity {
    ($module:ident, $table:literal, { $($field:ident : $ty:ty),* $(,)? }) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                $(pub $field: $ty,)*
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

type DateTime = chrono::NaiveDateTime;

entity!(user, "user", {
    uuid: Option<String>,
    username: String,
    password_hash: Option<String>,
    email: String,
    verified: bool,
    stripe_id: Option<String>,
    organization: bool,
    robot: bool,
    invoice_email: bool,
    invalid_login_attempts: i32,
    last_invalid_login: super::DateTime,
    removed_tag_expiration_s: i64,
    enabled: bool,
    invoice_email_address: Option<String>,
    company: Option<String>,
    family_name: Option<String>,
    given_name: Option<String>,
    location: Option<String>,
    maximum_queued_builds_count: Option<i32>,
    creation_date: Option<super::DateTime>,
    last_accessed: Option<super::DateTime>,
});

entity!(repository, "repository", {
    namespace_user_id: Option<i32>,
    name: String,
    visibility_id: i32,
    description: Option<String>,
    badge_token: String,
    kind_id: i32,
    trust_enabled: bool,
    state: i32,
});

entity!(manifest, "manifest", {
    repository_id: i32,
    digest: String,
    media_type_id: i32,
    manifest_bytes: String,
    config_media_type: Option<String>,
    layers_compressed_size: Option<i64>,
    subject: Option<String>,
    subject_backfilled: Option<bool>,
    artifact_type: Option<String>,
    artifact_type_backfilled: Option<bool>,
});

entity!(tag, "tag", {
    name: String,
    repository_id: i32,
    manifest_id: Option<i32>,
    lifetime_start_ms: i64,
    lifetime_end_ms: Option<i64>,
    hidden: bool,
    reversion: bool,
    tag_kind_id: i32,
    linked_tag_id: Option<i32>,
    immutable: bool,
});

entity!(imagestorage, "imagestorage", {
    uuid: String,
    image_size: Option<i64>,
    uncompressed_size: Option<i64>,
    uploading: Option<bool>,
    cas_path: bool,
    content_checksum: Option<String>,
});

entity!(imagestorageplacement, "imagestorageplacement", {
    storage_id: i32,
    location_id: i32,
});

entity!(manifestchild, "manifestchild", {
    repository_id: i32,
    manifest_id: i32,
    child_manifest_id: i32,
});

entity!(blobupload, "blobupload", {
    repository_id: i32,
    uuid: String,
    byte_count: i64,
    sha_state: Option<String>,
    location_id: i32,
    storage_metadata: Option<String>,
    chunk_count: i32,
    uncompressed_byte_count: Option<i64>,
    created: super::DateTime,
    piece_sha_state: Option<String>,
    piece_hashes: Option<String>,
});

entity!(servicekey, "servicekey", {
    name: String,
    kid: String,
    service: String,
    jwk: String,
    metadata: String,
    created_date: super::DateTime,
    expiration_date: Option<super::DateTime>,
    rotation_duration: Option<i32>,
    approval_id: Option<i32>,
});

entity!(servicekeyapproval, "servicekeyapproval", {
    approver_id: Option<i32>,
    approval_type: String,
    approved_date: super::DateTime,
    notes: String,
});

entity!(repositorypermission, "repositorypermission", {
    team_id: Option<i32>,
    user_id: Option<i32>,
    repository_id: i32,
    role_id: i32,
});

/// `manifestblob` has a 64-bit id on PostgreSQL (Quay's `BigAutoField`), so it is spelled out.
pub mod manifestblob {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "manifestblob")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub repository_id: i32,
        pub manifest_id: i32,
        pub blob_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `uploadedblob` has a 64-bit id (Quay's `BigAutoField`), so it is spelled out.
pub mod uploadedblob {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "uploadedblob")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub repository_id: i32,
        pub blob_id: i32,
        pub uploaded_at: chrono::NaiveDateTime,
        pub expires_at: chrono::NaiveDateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
