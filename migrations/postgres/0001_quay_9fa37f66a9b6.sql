-- Quay's database at Alembic revision 9fa37f66a9b6, PostgreSQL dialect.
--
-- Table, sequence, constraint and index names, column types, nullability and defaults are
-- Quay's, so that Python Quay and this program can share a database. `pg_trgm` backs Quay's
-- full-text indexes. `blobupload.created` keeps the literal default Alembic rendered when Quay's
-- migration ran (a Quay quirk); this program always writes the column explicitly.

--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

--
-- Name: accesstoken; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accesstoken (
    id integer NOT NULL,
    friendly_name character varying(255),
    repository_id integer NOT NULL,
    created timestamp without time zone NOT NULL,
    role_id integer NOT NULL,
    temporary boolean NOT NULL,
    kind_id integer,
    token_code character varying(255) NOT NULL,
    token_name character varying(255) NOT NULL
);

--
-- Name: accesstoken_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.accesstoken_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: accesstoken_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.accesstoken_id_seq OWNED BY public.accesstoken.id;

--
-- Name: accesstokenkind; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accesstokenkind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: accesstokenkind_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.accesstokenkind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: accesstokenkind_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.accesstokenkind_id_seq OWNED BY public.accesstokenkind.id;

--
-- Name: alembic_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);

--
-- Name: apprblob; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprblob (
    id integer NOT NULL,
    digest character varying(255) NOT NULL,
    media_type_id integer NOT NULL,
    size bigint NOT NULL,
    uncompressed_size bigint
);

--
-- Name: apprblob_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprblob_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprblob_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprblob_id_seq OWNED BY public.apprblob.id;

--
-- Name: apprblobplacement; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprblobplacement (
    id integer NOT NULL,
    blob_id integer NOT NULL,
    location_id integer NOT NULL
);

--
-- Name: apprblobplacement_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprblobplacement_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprblobplacement_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprblobplacement_id_seq OWNED BY public.apprblobplacement.id;

--
-- Name: apprblobplacementlocation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprblobplacementlocation (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: apprblobplacementlocation_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprblobplacementlocation_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprblobplacementlocation_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprblobplacementlocation_id_seq OWNED BY public.apprblobplacementlocation.id;

--
-- Name: apprmanifest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprmanifest (
    id integer NOT NULL,
    digest character varying(255) NOT NULL,
    media_type_id integer NOT NULL,
    manifest_json text NOT NULL
);

--
-- Name: apprmanifest_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprmanifest_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprmanifest_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprmanifest_id_seq OWNED BY public.apprmanifest.id;

--
-- Name: apprmanifestblob; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprmanifestblob (
    id integer NOT NULL,
    manifest_id integer NOT NULL,
    blob_id integer NOT NULL
);

--
-- Name: apprmanifestblob_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprmanifestblob_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprmanifestblob_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprmanifestblob_id_seq OWNED BY public.apprmanifestblob.id;

--
-- Name: apprmanifestlist; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprmanifestlist (
    id integer NOT NULL,
    digest character varying(255) NOT NULL,
    manifest_list_json text NOT NULL,
    schema_version character varying(255) NOT NULL,
    media_type_id integer NOT NULL
);

--
-- Name: apprmanifestlist_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprmanifestlist_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprmanifestlist_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprmanifestlist_id_seq OWNED BY public.apprmanifestlist.id;

--
-- Name: apprmanifestlistmanifest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprmanifestlistmanifest (
    id integer NOT NULL,
    manifest_list_id integer NOT NULL,
    manifest_id integer NOT NULL,
    operating_system character varying(255),
    architecture character varying(255),
    platform_json text,
    media_type_id integer NOT NULL
);

--
-- Name: apprmanifestlistmanifest_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprmanifestlistmanifest_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprmanifestlistmanifest_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprmanifestlistmanifest_id_seq OWNED BY public.apprmanifestlistmanifest.id;

--
-- Name: apprtag; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprtag (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    repository_id integer NOT NULL,
    manifest_list_id integer,
    lifetime_start bigint NOT NULL,
    lifetime_end bigint,
    hidden boolean NOT NULL,
    reverted boolean NOT NULL,
    protected boolean NOT NULL,
    tag_kind_id integer NOT NULL,
    linked_tag_id integer
);

--
-- Name: apprtag_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprtag_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprtag_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprtag_id_seq OWNED BY public.apprtag.id;

--
-- Name: apprtagkind; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.apprtagkind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: apprtagkind_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.apprtagkind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: apprtagkind_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.apprtagkind_id_seq OWNED BY public.apprtagkind.id;

--
-- Name: appspecificauthtoken; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.appspecificauthtoken (
    id integer NOT NULL,
    user_id integer NOT NULL,
    uuid character varying(36) NOT NULL,
    title character varying(255) NOT NULL,
    created timestamp without time zone NOT NULL,
    expiration timestamp without time zone,
    last_accessed timestamp without time zone,
    token_name character varying(255) NOT NULL,
    token_secret character varying(255) NOT NULL
);

--
-- Name: appspecificauthtoken_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.appspecificauthtoken_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: appspecificauthtoken_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.appspecificauthtoken_id_seq OWNED BY public.appspecificauthtoken.id;

--
-- Name: autoprunetaskstatus; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.autoprunetaskstatus (
    id integer NOT NULL,
    namespace_id integer NOT NULL,
    last_ran_ms bigint,
    status text
);

--
-- Name: autoprunetaskstatus_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.autoprunetaskstatus_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: autoprunetaskstatus_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.autoprunetaskstatus_id_seq OWNED BY public.autoprunetaskstatus.id;

--
-- Name: blobupload; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.blobupload (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    byte_count bigint NOT NULL,
    sha_state text,
    location_id integer NOT NULL,
    storage_metadata text,
    chunk_count integer DEFAULT 0 NOT NULL,
    uncompressed_byte_count bigint,
    created timestamp without time zone DEFAULT '2026-11-28 06:37:54'::timestamp without time zone NOT NULL,
    piece_sha_state text,
    piece_hashes text
);

--
-- Name: blobupload_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.blobupload_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: blobupload_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.blobupload_id_seq OWNED BY public.blobupload.id;

--
-- Name: buildtriggerservice; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.buildtriggerservice (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: buildtriggerservice_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.buildtriggerservice_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: buildtriggerservice_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.buildtriggerservice_id_seq OWNED BY public.buildtriggerservice.id;

--
-- Name: deletednamespace; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deletednamespace (
    id integer NOT NULL,
    namespace_id integer NOT NULL,
    marked timestamp without time zone NOT NULL,
    original_username character varying(255) NOT NULL,
    original_email character varying(255) NOT NULL,
    queue_id character varying(255)
);

--
-- Name: deletednamespace_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.deletednamespace_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: deletednamespace_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.deletednamespace_id_seq OWNED BY public.deletednamespace.id;

--
-- Name: deletedrepository; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deletedrepository (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    marked timestamp without time zone NOT NULL,
    original_name character varying(255) NOT NULL,
    queue_id character varying(255)
);

--
-- Name: deletedrepository_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.deletedrepository_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: deletedrepository_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.deletedrepository_id_seq OWNED BY public.deletedrepository.id;

--
-- Name: disablereason; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.disablereason (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: disablereason_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.disablereason_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: disablereason_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.disablereason_id_seq OWNED BY public.disablereason.id;

--
-- Name: emailconfirmation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.emailconfirmation (
    id integer NOT NULL,
    code character varying(255) NOT NULL,
    user_id integer NOT NULL,
    pw_reset boolean NOT NULL,
    new_email character varying(255),
    email_confirm boolean NOT NULL,
    created timestamp without time zone NOT NULL,
    verification_code character varying(255)
);

--
-- Name: emailconfirmation_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.emailconfirmation_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: emailconfirmation_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.emailconfirmation_id_seq OWNED BY public.emailconfirmation.id;

--
-- Name: externalnotificationevent; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.externalnotificationevent (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: externalnotificationevent_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.externalnotificationevent_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: externalnotificationevent_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.externalnotificationevent_id_seq OWNED BY public.externalnotificationevent.id;

--
-- Name: externalnotificationmethod; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.externalnotificationmethod (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: externalnotificationmethod_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.externalnotificationmethod_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: externalnotificationmethod_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.externalnotificationmethod_id_seq OWNED BY public.externalnotificationmethod.id;

--
-- Name: federatedlogin; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.federatedlogin (
    id integer NOT NULL,
    user_id integer NOT NULL,
    service_id integer NOT NULL,
    service_ident character varying(255) NOT NULL,
    metadata_json text NOT NULL
);

--
-- Name: federatedlogin_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.federatedlogin_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: federatedlogin_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.federatedlogin_id_seq OWNED BY public.federatedlogin.id;

--
-- Name: imagestorage; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imagestorage (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    image_size bigint,
    uncompressed_size bigint,
    uploading boolean,
    cas_path boolean DEFAULT false NOT NULL,
    content_checksum character varying(255)
);

--
-- Name: imagestorage_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.imagestorage_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: imagestorage_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.imagestorage_id_seq OWNED BY public.imagestorage.id;

--
-- Name: imagestoragelocation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imagestoragelocation (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: imagestoragelocation_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.imagestoragelocation_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: imagestoragelocation_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.imagestoragelocation_id_seq OWNED BY public.imagestoragelocation.id;

--
-- Name: imagestorageplacement; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imagestorageplacement (
    id integer NOT NULL,
    storage_id integer NOT NULL,
    location_id integer NOT NULL
);

--
-- Name: imagestorageplacement_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.imagestorageplacement_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: imagestorageplacement_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.imagestorageplacement_id_seq OWNED BY public.imagestorageplacement.id;

--
-- Name: imagestoragesignature; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imagestoragesignature (
    id integer NOT NULL,
    storage_id integer NOT NULL,
    kind_id integer NOT NULL,
    signature text,
    uploading boolean
);

--
-- Name: imagestoragesignature_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.imagestoragesignature_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: imagestoragesignature_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.imagestoragesignature_id_seq OWNED BY public.imagestoragesignature.id;

--
-- Name: imagestoragesignaturekind; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imagestoragesignaturekind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: imagestoragesignaturekind_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.imagestoragesignaturekind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: imagestoragesignaturekind_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.imagestoragesignaturekind_id_seq OWNED BY public.imagestoragesignaturekind.id;

--
-- Name: imagestoragetransformation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.imagestoragetransformation (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: imagestoragetransformation_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.imagestoragetransformation_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: imagestoragetransformation_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.imagestoragetransformation_id_seq OWNED BY public.imagestoragetransformation.id;

--
-- Name: label; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.label (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    key character varying(255) NOT NULL,
    value text NOT NULL,
    media_type_id integer NOT NULL,
    source_type_id integer NOT NULL
);

--
-- Name: label_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.label_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: label_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.label_id_seq OWNED BY public.label.id;

--
-- Name: labelsourcetype; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.labelsourcetype (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    mutable boolean NOT NULL
);

--
-- Name: labelsourcetype_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.labelsourcetype_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: labelsourcetype_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.labelsourcetype_id_seq OWNED BY public.labelsourcetype.id;

--
-- Name: logentry; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.logentry (
    id bigint NOT NULL,
    kind_id integer NOT NULL,
    account_id integer NOT NULL,
    performer_id integer,
    repository_id integer,
    datetime timestamp without time zone NOT NULL,
    ip character varying(255),
    metadata_json text NOT NULL
);

--
-- Name: logentry2; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.logentry2 (
    id integer NOT NULL,
    kind_id integer NOT NULL,
    account_id integer NOT NULL,
    performer_id integer,
    repository_id integer,
    datetime timestamp without time zone NOT NULL,
    ip character varying(255),
    metadata_json text NOT NULL
);

--
-- Name: logentry2_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.logentry2_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: logentry2_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.logentry2_id_seq OWNED BY public.logentry2.id;

--
-- Name: logentry3; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.logentry3 (
    id bigint NOT NULL,
    kind_id integer NOT NULL,
    account_id integer NOT NULL,
    performer_id integer,
    repository_id integer,
    datetime timestamp without time zone NOT NULL,
    ip character varying(255),
    metadata_json text NOT NULL
);

--
-- Name: logentry3_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.logentry3_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: logentry3_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.logentry3_id_seq OWNED BY public.logentry3.id;

--
-- Name: logentry_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.logentry_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: logentry_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.logentry_id_seq OWNED BY public.logentry.id;

--
-- Name: logentrykind; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.logentrykind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: logentrykind_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.logentrykind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: logentrykind_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.logentrykind_id_seq OWNED BY public.logentrykind.id;

--
-- Name: loginservice; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.loginservice (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: loginservice_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.loginservice_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: loginservice_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.loginservice_id_seq OWNED BY public.loginservice.id;

--
-- Name: manifest; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.manifest (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    digest character varying(255) NOT NULL,
    media_type_id integer NOT NULL,
    manifest_bytes text NOT NULL,
    config_media_type character varying(255),
    layers_compressed_size bigint,
    subject character varying(255),
    subject_backfilled boolean,
    artifact_type character varying(255),
    artifact_type_backfilled boolean
);

--
-- Name: manifest_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.manifest_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: manifest_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.manifest_id_seq OWNED BY public.manifest.id;

--
-- Name: manifestblob; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.manifestblob (
    id bigint NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer NOT NULL,
    blob_id integer NOT NULL
);

--
-- Name: manifestblob_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.manifestblob_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: manifestblob_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.manifestblob_id_seq OWNED BY public.manifestblob.id;

--
-- Name: manifestchild; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.manifestchild (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer NOT NULL,
    child_manifest_id integer NOT NULL
);

--
-- Name: manifestchild_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.manifestchild_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: manifestchild_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.manifestchild_id_seq OWNED BY public.manifestchild.id;

--
-- Name: manifestlabel; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.manifestlabel (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer NOT NULL,
    label_id integer NOT NULL
);

--
-- Name: manifestlabel_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.manifestlabel_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: manifestlabel_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.manifestlabel_id_seq OWNED BY public.manifestlabel.id;

--
-- Name: manifestpullstatistics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.manifestpullstatistics (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    manifest_digest character varying(255) NOT NULL,
    manifest_pull_count bigint NOT NULL,
    last_manifest_pull_date timestamp without time zone NOT NULL
);

--
-- Name: manifestpullstatistics_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.manifestpullstatistics_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: manifestpullstatistics_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.manifestpullstatistics_id_seq OWNED BY public.manifestpullstatistics.id;

--
-- Name: manifestsecuritystatus; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.manifestsecuritystatus (
    id integer NOT NULL,
    manifest_id integer NOT NULL,
    repository_id integer NOT NULL,
    index_status integer NOT NULL,
    error_json text NOT NULL,
    last_indexed timestamp without time zone NOT NULL,
    indexer_hash character varying(128) NOT NULL,
    indexer_version integer NOT NULL,
    metadata_json text NOT NULL
);

--
-- Name: manifestsecuritystatus_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.manifestsecuritystatus_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: manifestsecuritystatus_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.manifestsecuritystatus_id_seq OWNED BY public.manifestsecuritystatus.id;

--
-- Name: mediatype; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mediatype (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: mediatype_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.mediatype_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: mediatype_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.mediatype_id_seq OWNED BY public.mediatype.id;

--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    id integer NOT NULL,
    content text NOT NULL,
    uuid character varying(36) DEFAULT ''::character varying NOT NULL,
    media_type_id integer DEFAULT 1 NOT NULL,
    severity character varying(255) DEFAULT 'info'::character varying NOT NULL
);

--
-- Name: messages_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.messages_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: messages_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.messages_id_seq OWNED BY public.messages.id;

--
-- Name: namespaceautoprunepolicy; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.namespaceautoprunepolicy (
    id integer NOT NULL,
    uuid character varying(36) NOT NULL,
    namespace_id integer NOT NULL,
    policy text NOT NULL
);

--
-- Name: namespaceautoprunepolicy_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.namespaceautoprunepolicy_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: namespaceautoprunepolicy_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.namespaceautoprunepolicy_id_seq OWNED BY public.namespaceautoprunepolicy.id;

--
-- Name: namespaceimmutabilitypolicy; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.namespaceimmutabilitypolicy (
    id integer NOT NULL,
    uuid character varying(36) NOT NULL,
    namespace_id integer NOT NULL,
    policy text NOT NULL
);

--
-- Name: namespaceimmutabilitypolicy_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.namespaceimmutabilitypolicy_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: namespaceimmutabilitypolicy_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.namespaceimmutabilitypolicy_id_seq OWNED BY public.namespaceimmutabilitypolicy.id;

--
-- Name: namespacenotification; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.namespacenotification (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    namespace_id integer NOT NULL,
    event_id integer NOT NULL,
    method_id integer NOT NULL,
    title character varying(255),
    config_json text NOT NULL,
    event_config_json text DEFAULT '{}'::text NOT NULL,
    number_of_failures integer DEFAULT 0 NOT NULL,
    last_ran_ms bigint
);

--
-- Name: namespacenotification_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.namespacenotification_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: namespacenotification_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.namespacenotification_id_seq OWNED BY public.namespacenotification.id;

--
-- Name: notification; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notification (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    kind_id integer NOT NULL,
    target_id integer NOT NULL,
    metadata_json text NOT NULL,
    created timestamp without time zone NOT NULL,
    dismissed boolean NOT NULL,
    lookup_path character varying(255)
);

--
-- Name: notification_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.notification_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: notification_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.notification_id_seq OWNED BY public.notification.id;

--
-- Name: notificationkind; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notificationkind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: notificationkind_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.notificationkind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: notificationkind_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.notificationkind_id_seq OWNED BY public.notificationkind.id;

--
-- Name: oauthaccesstoken; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauthaccesstoken (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    application_id integer NOT NULL,
    authorized_user_id integer NOT NULL,
    scope character varying(255) NOT NULL,
    token_type character varying(255) NOT NULL,
    expires_at timestamp without time zone NOT NULL,
    data text NOT NULL,
    token_code character varying(255) NOT NULL,
    token_name character varying(255) NOT NULL,
    last_accessed timestamp without time zone,
    created timestamp without time zone,
    display_name character varying(255)
);

--
-- Name: oauthaccesstoken_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.oauthaccesstoken_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: oauthaccesstoken_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.oauthaccesstoken_id_seq OWNED BY public.oauthaccesstoken.id;

--
-- Name: oauthapplication; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauthapplication (
    id integer NOT NULL,
    client_id character varying(255) NOT NULL,
    redirect_uri character varying(255) NOT NULL,
    application_uri character varying(255) NOT NULL,
    organization_id integer NOT NULL,
    name character varying(255) NOT NULL,
    description text NOT NULL,
    gravatar_email character varying(255),
    secure_client_secret character varying(255),
    fully_migrated boolean DEFAULT false NOT NULL
);

--
-- Name: oauthapplication_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.oauthapplication_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: oauthapplication_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.oauthapplication_id_seq OWNED BY public.oauthapplication.id;

--
-- Name: oauthassignedtoken; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauthassignedtoken (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    assigned_user_id integer NOT NULL,
    application_id integer NOT NULL,
    redirect_uri character varying(255),
    scope character varying(255) NOT NULL,
    response_type character varying(255)
);

--
-- Name: oauthassignedtoken_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.oauthassignedtoken_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: oauthassignedtoken_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.oauthassignedtoken_id_seq OWNED BY public.oauthassignedtoken.id;

--
-- Name: oauthauthorizationcode; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauthauthorizationcode (
    id integer NOT NULL,
    application_id integer NOT NULL,
    scope character varying(255) NOT NULL,
    data text NOT NULL,
    code_credential character varying(255) NOT NULL,
    code_name character varying(255) NOT NULL
);

--
-- Name: oauthauthorizationcode_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.oauthauthorizationcode_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: oauthauthorizationcode_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.oauthauthorizationcode_id_seq OWNED BY public.oauthauthorizationcode.id;

--
-- Name: organizationcontactemail; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organizationcontactemail (
    id integer NOT NULL,
    organization_id integer NOT NULL,
    contact_email character varying(255)
);

--
-- Name: organizationcontactemail_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.organizationcontactemail_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: organizationcontactemail_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.organizationcontactemail_id_seq OWNED BY public.organizationcontactemail.id;

--
-- Name: organizationrhskus; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.organizationrhskus (
    id integer NOT NULL,
    subscription_id integer NOT NULL,
    org_id integer NOT NULL,
    user_id integer NOT NULL,
    quantity integer
);

--
-- Name: organizationrhskus_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.organizationrhskus_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: organizationrhskus_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.organizationrhskus_id_seq OWNED BY public.organizationrhskus.id;

--
-- Name: orgmirrorconfig; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orgmirrorconfig (
    id integer NOT NULL,
    organization_id integer NOT NULL,
    creation_date timestamp without time zone NOT NULL,
    is_enabled boolean DEFAULT true NOT NULL,
    mirror_type integer DEFAULT 1 NOT NULL,
    external_registry_type integer NOT NULL,
    external_registry_url character varying(2048) NOT NULL,
    external_namespace character varying(255) NOT NULL,
    external_registry_username character varying(4096),
    external_registry_password character varying(9000),
    external_registry_config text NOT NULL,
    internal_robot_id integer NOT NULL,
    repository_filters text NOT NULL,
    visibility_id integer NOT NULL,
    delete_stale_repos boolean DEFAULT false NOT NULL,
    sync_interval integer NOT NULL,
    sync_start_date timestamp without time zone,
    sync_expiration_date timestamp without time zone,
    sync_retries_remaining integer DEFAULT 3 NOT NULL,
    sync_status integer DEFAULT 0 NOT NULL,
    sync_transaction_id character varying(36),
    skopeo_timeout bigint DEFAULT '300'::bigint NOT NULL,
    architecture_filter text DEFAULT '[]'::text NOT NULL
);

--
-- Name: orgmirrorconfig_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.orgmirrorconfig_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: orgmirrorconfig_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.orgmirrorconfig_id_seq OWNED BY public.orgmirrorconfig.id;

--
-- Name: orgmirrorrepository; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orgmirrorrepository (
    id integer NOT NULL,
    org_mirror_config_id integer NOT NULL,
    repository_name character varying(255) NOT NULL,
    repository_id integer,
    discovery_date timestamp without time zone NOT NULL,
    sync_status integer DEFAULT 0 NOT NULL,
    sync_start_date timestamp without time zone,
    sync_expiration_date timestamp without time zone,
    last_sync_date timestamp without time zone,
    status_message text,
    creation_date timestamp without time zone NOT NULL,
    sync_retries_remaining integer DEFAULT 3 NOT NULL,
    sync_transaction_id character varying(36)
);

--
-- Name: orgmirrorrepository_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.orgmirrorrepository_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: orgmirrorrepository_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.orgmirrorrepository_id_seq OWNED BY public.orgmirrorrepository.id;

--
-- Name: permissionprototype; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.permissionprototype (
    id integer NOT NULL,
    org_id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    activating_user_id integer,
    delegate_user_id integer,
    delegate_team_id integer,
    role_id integer NOT NULL
);

--
-- Name: permissionprototype_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.permissionprototype_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: permissionprototype_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.permissionprototype_id_seq OWNED BY public.permissionprototype.id;

--
-- Name: proxycacheconfig; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.proxycacheconfig (
    id integer NOT NULL,
    organization_id integer NOT NULL,
    creation_date timestamp without time zone NOT NULL,
    upstream_registry character varying(2048) NOT NULL,
    upstream_registry_username character varying(4096),
    upstream_registry_password character varying(4096),
    expiration_s integer DEFAULT 86400,
    insecure boolean DEFAULT false NOT NULL
);

--
-- Name: proxycacheconfig_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.proxycacheconfig_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: proxycacheconfig_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.proxycacheconfig_id_seq OWNED BY public.proxycacheconfig.id;

--
-- Name: quayregion; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quayregion (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: quayregion_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quayregion_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quayregion_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quayregion_id_seq OWNED BY public.quayregion.id;

--
-- Name: quayrelease; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quayrelease (
    id integer NOT NULL,
    service_id integer NOT NULL,
    version character varying(255) NOT NULL,
    region_id integer NOT NULL,
    reverted boolean NOT NULL,
    created timestamp without time zone NOT NULL
);

--
-- Name: quayrelease_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quayrelease_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quayrelease_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quayrelease_id_seq OWNED BY public.quayrelease.id;

--
-- Name: quayservice; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quayservice (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: quayservice_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quayservice_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quayservice_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quayservice_id_seq OWNED BY public.quayservice.id;

--
-- Name: queueitem; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.queueitem (
    id integer NOT NULL,
    queue_name character varying(1024) NOT NULL,
    body text NOT NULL,
    available_after timestamp without time zone NOT NULL,
    available boolean NOT NULL,
    processing_expires timestamp without time zone,
    retries_remaining integer NOT NULL,
    state_id character varying(255) DEFAULT ''::character varying NOT NULL
);

--
-- Name: queueitem_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.queueitem_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: queueitem_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.queueitem_id_seq OWNED BY public.queueitem.id;

--
-- Name: quotalimits; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quotalimits (
    id integer NOT NULL,
    quota_id integer NOT NULL,
    quota_type_id integer NOT NULL,
    percent_of_limit integer NOT NULL
);

--
-- Name: quotalimits_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quotalimits_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quotalimits_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quotalimits_id_seq OWNED BY public.quotalimits.id;

--
-- Name: quotanamespacesize; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quotanamespacesize (
    id integer NOT NULL,
    namespace_user_id integer NOT NULL,
    size_bytes bigint DEFAULT '0'::bigint NOT NULL,
    backfill_start_ms bigint,
    backfill_complete boolean DEFAULT false NOT NULL
);

--
-- Name: quotanamespacesize_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quotanamespacesize_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quotanamespacesize_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quotanamespacesize_id_seq OWNED BY public.quotanamespacesize.id;

--
-- Name: quotanotificationstate; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quotanotificationstate (
    id integer NOT NULL,
    namespace_id integer NOT NULL,
    threshold_percent integer NOT NULL,
    last_notified_at timestamp without time zone,
    cleared boolean DEFAULT true NOT NULL
);

--
-- Name: quotanotificationstate_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quotanotificationstate_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quotanotificationstate_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quotanotificationstate_id_seq OWNED BY public.quotanotificationstate.id;

--
-- Name: quotaregistrysize; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quotaregistrysize (
    id integer NOT NULL,
    size_bytes bigint DEFAULT '0'::bigint NOT NULL,
    running boolean DEFAULT false NOT NULL,
    queued boolean DEFAULT false NOT NULL,
    completed_ms bigint
);

--
-- Name: quotaregistrysize_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quotaregistrysize_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quotaregistrysize_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quotaregistrysize_id_seq OWNED BY public.quotaregistrysize.id;

--
-- Name: quotarepositorysize; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quotarepositorysize (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    size_bytes bigint DEFAULT '0'::bigint NOT NULL,
    backfill_start_ms bigint,
    backfill_complete boolean DEFAULT false NOT NULL
);

--
-- Name: quotarepositorysize_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quotarepositorysize_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quotarepositorysize_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quotarepositorysize_id_seq OWNED BY public.quotarepositorysize.id;

--
-- Name: quotatype; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quotatype (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: quotatype_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quotatype_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: quotatype_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quotatype_id_seq OWNED BY public.quotatype.id;

--
-- Name: redhatsubscriptions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.redhatsubscriptions (
    id integer NOT NULL,
    user_id integer NOT NULL,
    account_number integer NOT NULL
);

--
-- Name: redhatsubscriptions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.redhatsubscriptions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: redhatsubscriptions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.redhatsubscriptions_id_seq OWNED BY public.redhatsubscriptions.id;

--
-- Name: repomirrorconfig; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repomirrorconfig (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    creation_date timestamp without time zone NOT NULL,
    is_enabled boolean NOT NULL,
    mirror_type integer NOT NULL,
    internal_robot_id integer NOT NULL,
    external_registry_username character varying(4096),
    external_registry_config text NOT NULL,
    sync_interval integer DEFAULT 60 NOT NULL,
    sync_start_date timestamp without time zone,
    sync_expiration_date timestamp without time zone,
    sync_retries_remaining integer DEFAULT 3 NOT NULL,
    sync_status integer NOT NULL,
    sync_transaction_id character varying(36),
    root_rule_id integer NOT NULL,
    external_reference text NOT NULL,
    external_registry_password character varying(9000),
    skopeo_timeout bigint DEFAULT '300'::bigint NOT NULL,
    architecture_filter text
);

--
-- Name: repomirrorconfig_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repomirrorconfig_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repomirrorconfig_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repomirrorconfig_id_seq OWNED BY public.repomirrorconfig.id;

--
-- Name: repomirrorrule; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repomirrorrule (
    id integer NOT NULL,
    uuid character varying(36) NOT NULL,
    repository_id integer NOT NULL,
    creation_date timestamp without time zone NOT NULL,
    rule_type integer NOT NULL,
    rule_value text NOT NULL,
    left_child_id integer,
    right_child_id integer
);

--
-- Name: repomirrorrule_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repomirrorrule_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repomirrorrule_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repomirrorrule_id_seq OWNED BY public.repomirrorrule.id;

--
-- Name: repository; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repository (
    id integer NOT NULL,
    namespace_user_id integer,
    name character varying(255) NOT NULL,
    visibility_id integer NOT NULL,
    description text,
    badge_token character varying(255) NOT NULL,
    kind_id integer DEFAULT 1 NOT NULL,
    trust_enabled boolean DEFAULT false NOT NULL,
    state integer DEFAULT 0 NOT NULL
);

--
-- Name: repository_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repository_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repository_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repository_id_seq OWNED BY public.repository.id;

--
-- Name: repositoryactioncount; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositoryactioncount (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    count integer NOT NULL,
    date date NOT NULL
);

--
-- Name: repositoryactioncount_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositoryactioncount_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositoryactioncount_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositoryactioncount_id_seq OWNED BY public.repositoryactioncount.id;

--
-- Name: repositoryauthorizedemail; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositoryauthorizedemail (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    email character varying(255) NOT NULL,
    code character varying(255) NOT NULL,
    confirmed boolean NOT NULL
);

--
-- Name: repositoryauthorizedemail_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositoryauthorizedemail_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositoryauthorizedemail_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositoryauthorizedemail_id_seq OWNED BY public.repositoryauthorizedemail.id;

--
-- Name: repositoryautoprunepolicy; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositoryautoprunepolicy (
    id integer NOT NULL,
    uuid character varying(36) NOT NULL,
    repository_id integer NOT NULL,
    namespace_id integer NOT NULL,
    policy text NOT NULL
);

--
-- Name: repositoryautoprunepolicy_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositoryautoprunepolicy_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositoryautoprunepolicy_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositoryautoprunepolicy_id_seq OWNED BY public.repositoryautoprunepolicy.id;

--
-- Name: repositorybuild; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositorybuild (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    repository_id integer NOT NULL,
    access_token_id integer NOT NULL,
    resource_key character varying(255),
    job_config text NOT NULL,
    phase character varying(255) NOT NULL,
    started timestamp without time zone NOT NULL,
    display_name character varying(255) NOT NULL,
    trigger_id integer,
    pull_robot_id integer,
    logs_archived boolean DEFAULT false NOT NULL,
    queue_id character varying(255)
);

--
-- Name: repositorybuild_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositorybuild_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositorybuild_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositorybuild_id_seq OWNED BY public.repositorybuild.id;

--
-- Name: repositorybuildtrigger; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositorybuildtrigger (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    service_id integer NOT NULL,
    repository_id integer NOT NULL,
    connected_user_id integer NOT NULL,
    config text NOT NULL,
    write_token_id integer,
    pull_robot_id integer,
    disabled_reason_id integer,
    enabled boolean DEFAULT true NOT NULL,
    successive_failure_count integer DEFAULT 0 NOT NULL,
    successive_internal_error_count integer DEFAULT 0 NOT NULL,
    disabled_datetime timestamp without time zone,
    secure_auth_token character varying(255),
    secure_private_key text,
    fully_migrated boolean DEFAULT false NOT NULL
);

--
-- Name: repositorybuildtrigger_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositorybuildtrigger_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositorybuildtrigger_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositorybuildtrigger_id_seq OWNED BY public.repositorybuildtrigger.id;

--
-- Name: repositoryimmutabilitypolicy; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositoryimmutabilitypolicy (
    id integer NOT NULL,
    uuid character varying(36) NOT NULL,
    repository_id integer NOT NULL,
    namespace_id integer NOT NULL,
    policy text NOT NULL
);

--
-- Name: repositoryimmutabilitypolicy_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositoryimmutabilitypolicy_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositoryimmutabilitypolicy_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositoryimmutabilitypolicy_id_seq OWNED BY public.repositoryimmutabilitypolicy.id;

--
-- Name: repositorykind; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositorykind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: repositorykind_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositorykind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositorykind_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositorykind_id_seq OWNED BY public.repositorykind.id;

--
-- Name: repositorynotification; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositorynotification (
    id integer NOT NULL,
    uuid character varying(255) NOT NULL,
    repository_id integer NOT NULL,
    event_id integer NOT NULL,
    method_id integer NOT NULL,
    title character varying(255),
    config_json text NOT NULL,
    event_config_json text NOT NULL,
    number_of_failures integer DEFAULT 0 NOT NULL,
    last_ran_ms bigint
);

--
-- Name: repositorynotification_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositorynotification_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositorynotification_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositorynotification_id_seq OWNED BY public.repositorynotification.id;

--
-- Name: repositorypermission; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositorypermission (
    id integer NOT NULL,
    team_id integer,
    user_id integer,
    repository_id integer NOT NULL,
    role_id integer NOT NULL
);

--
-- Name: repositorypermission_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositorypermission_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositorypermission_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositorypermission_id_seq OWNED BY public.repositorypermission.id;

--
-- Name: repositorysearchscore; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.repositorysearchscore (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    score bigint NOT NULL,
    last_updated timestamp without time zone
);

--
-- Name: repositorysearchscore_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.repositorysearchscore_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: repositorysearchscore_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.repositorysearchscore_id_seq OWNED BY public.repositorysearchscore.id;

--
-- Name: robotaccountmetadata; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.robotaccountmetadata (
    id integer NOT NULL,
    robot_account_id integer NOT NULL,
    description character varying(255) NOT NULL,
    unstructured_json text NOT NULL
);

--
-- Name: robotaccountmetadata_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.robotaccountmetadata_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: robotaccountmetadata_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.robotaccountmetadata_id_seq OWNED BY public.robotaccountmetadata.id;

--
-- Name: robotaccounttoken; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.robotaccounttoken (
    id integer NOT NULL,
    robot_account_id integer NOT NULL,
    token character varying(255) NOT NULL,
    fully_migrated boolean DEFAULT false NOT NULL
);

--
-- Name: robotaccounttoken_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.robotaccounttoken_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: robotaccounttoken_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.robotaccounttoken_id_seq OWNED BY public.robotaccounttoken.id;

--
-- Name: role; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.role (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: role_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.role_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: role_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.role_id_seq OWNED BY public.role.id;

--
-- Name: servicekey; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.servicekey (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    kid character varying(255) NOT NULL,
    service character varying(255) NOT NULL,
    jwk text NOT NULL,
    metadata text NOT NULL,
    created_date timestamp without time zone NOT NULL,
    expiration_date timestamp without time zone,
    rotation_duration integer,
    approval_id integer
);

--
-- Name: servicekey_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.servicekey_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: servicekey_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.servicekey_id_seq OWNED BY public.servicekey.id;

--
-- Name: servicekeyapproval; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.servicekeyapproval (
    id integer NOT NULL,
    approver_id integer,
    approval_type character varying(255) NOT NULL,
    approved_date timestamp without time zone NOT NULL,
    notes text NOT NULL
);

--
-- Name: servicekeyapproval_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.servicekeyapproval_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: servicekeyapproval_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.servicekeyapproval_id_seq OWNED BY public.servicekeyapproval.id;

--
-- Name: star; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.star (
    id integer NOT NULL,
    user_id integer NOT NULL,
    repository_id integer NOT NULL,
    created timestamp without time zone NOT NULL
);

--
-- Name: star_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.star_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: star_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.star_id_seq OWNED BY public.star.id;

--
-- Name: tag; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tag (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    repository_id integer NOT NULL,
    manifest_id integer,
    lifetime_start_ms bigint NOT NULL,
    lifetime_end_ms bigint,
    hidden boolean DEFAULT false NOT NULL,
    reversion boolean DEFAULT false NOT NULL,
    tag_kind_id integer NOT NULL,
    linked_tag_id integer,
    immutable boolean DEFAULT false NOT NULL
);

--
-- Name: tag_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tag_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: tag_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tag_id_seq OWNED BY public.tag.id;

--
-- Name: tagkind; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tagkind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: tagkind_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tagkind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: tagkind_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tagkind_id_seq OWNED BY public.tagkind.id;

--
-- Name: tagnotificationsuccess; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tagnotificationsuccess (
    id integer NOT NULL,
    notification_id integer NOT NULL,
    tag_id integer NOT NULL,
    method_id integer NOT NULL
);

--
-- Name: tagnotificationsuccess_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tagnotificationsuccess_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: tagnotificationsuccess_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tagnotificationsuccess_id_seq OWNED BY public.tagnotificationsuccess.id;

--
-- Name: tagpullstatistics; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tagpullstatistics (
    id integer NOT NULL,
    repository_id integer NOT NULL,
    tag_name character varying(255) NOT NULL,
    tag_pull_count bigint NOT NULL,
    last_tag_pull_date timestamp without time zone NOT NULL,
    current_manifest_digest character varying(255)
);

--
-- Name: tagpullstatistics_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tagpullstatistics_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: tagpullstatistics_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tagpullstatistics_id_seq OWNED BY public.tagpullstatistics.id;

--
-- Name: team; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.team (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    organization_id integer NOT NULL,
    role_id integer NOT NULL,
    description text NOT NULL
);

--
-- Name: team_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.team_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: team_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.team_id_seq OWNED BY public.team.id;

--
-- Name: teammember; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.teammember (
    id integer NOT NULL,
    user_id integer NOT NULL,
    team_id integer NOT NULL
);

--
-- Name: teammember_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.teammember_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: teammember_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.teammember_id_seq OWNED BY public.teammember.id;

--
-- Name: teammemberinvite; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.teammemberinvite (
    id integer NOT NULL,
    user_id integer,
    email character varying(255),
    team_id integer NOT NULL,
    inviter_id integer NOT NULL,
    invite_token character varying(255) NOT NULL
);

--
-- Name: teammemberinvite_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.teammemberinvite_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: teammemberinvite_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.teammemberinvite_id_seq OWNED BY public.teammemberinvite.id;

--
-- Name: teamrole; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.teamrole (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: teamrole_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.teamrole_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: teamrole_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.teamrole_id_seq OWNED BY public.teamrole.id;

--
-- Name: teamsync; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.teamsync (
    id integer NOT NULL,
    team_id integer NOT NULL,
    transaction_id character varying(255) NOT NULL,
    last_updated timestamp without time zone,
    service_id integer NOT NULL,
    config text NOT NULL
);

--
-- Name: teamsync_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.teamsync_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: teamsync_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.teamsync_id_seq OWNED BY public.teamsync.id;

--
-- Name: uploadedblob; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.uploadedblob (
    id bigint NOT NULL,
    repository_id integer NOT NULL,
    blob_id integer NOT NULL,
    uploaded_at timestamp without time zone NOT NULL,
    expires_at timestamp without time zone NOT NULL
);

--
-- Name: uploadedblob_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.uploadedblob_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: uploadedblob_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.uploadedblob_id_seq OWNED BY public.uploadedblob.id;

--
-- Name: user; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."user" (
    id integer NOT NULL,
    uuid character varying(36),
    username character varying(255) NOT NULL,
    password_hash character varying(255),
    email character varying(255) NOT NULL,
    verified boolean NOT NULL,
    stripe_id character varying(255),
    organization boolean NOT NULL,
    robot boolean NOT NULL,
    invoice_email boolean NOT NULL,
    invalid_login_attempts integer DEFAULT 0 NOT NULL,
    last_invalid_login timestamp without time zone NOT NULL,
    removed_tag_expiration_s bigint DEFAULT 1209600 NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    invoice_email_address character varying(255),
    company character varying(255),
    family_name character varying(255),
    given_name character varying(255),
    location character varying(255),
    maximum_queued_builds_count integer,
    creation_date timestamp without time zone,
    last_accessed timestamp without time zone
);

--
-- Name: user_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.user_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: user_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.user_id_seq OWNED BY public."user".id;

--
-- Name: userorganizationquota; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.userorganizationquota (
    id integer NOT NULL,
    namespace_id integer NOT NULL,
    limit_bytes bigint NOT NULL
);

--
-- Name: userorganizationquota_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.userorganizationquota_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: userorganizationquota_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.userorganizationquota_id_seq OWNED BY public.userorganizationquota.id;

--
-- Name: userprompt; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.userprompt (
    id integer NOT NULL,
    user_id integer NOT NULL,
    kind_id integer NOT NULL
);

--
-- Name: userprompt_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.userprompt_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: userprompt_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.userprompt_id_seq OWNED BY public.userprompt.id;

--
-- Name: userpromptkind; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.userpromptkind (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: userpromptkind_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.userpromptkind_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: userpromptkind_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.userpromptkind_id_seq OWNED BY public.userpromptkind.id;

--
-- Name: userregion; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.userregion (
    id integer NOT NULL,
    user_id integer NOT NULL,
    location_id integer NOT NULL
);

--
-- Name: userregion_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.userregion_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: userregion_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.userregion_id_seq OWNED BY public.userregion.id;

--
-- Name: visibility; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.visibility (
    id integer NOT NULL,
    name character varying(255) NOT NULL
);

--
-- Name: visibility_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.visibility_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: visibility_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.visibility_id_seq OWNED BY public.visibility.id;

--
-- Name: accesstoken id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesstoken ALTER COLUMN id SET DEFAULT nextval('public.accesstoken_id_seq'::regclass);

--
-- Name: accesstokenkind id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesstokenkind ALTER COLUMN id SET DEFAULT nextval('public.accesstokenkind_id_seq'::regclass);

--
-- Name: apprblob id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblob ALTER COLUMN id SET DEFAULT nextval('public.apprblob_id_seq'::regclass);

--
-- Name: apprblobplacement id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblobplacement ALTER COLUMN id SET DEFAULT nextval('public.apprblobplacement_id_seq'::regclass);

--
-- Name: apprblobplacementlocation id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblobplacementlocation ALTER COLUMN id SET DEFAULT nextval('public.apprblobplacementlocation_id_seq'::regclass);

--
-- Name: apprmanifest id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifest ALTER COLUMN id SET DEFAULT nextval('public.apprmanifest_id_seq'::regclass);

--
-- Name: apprmanifestblob id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestblob ALTER COLUMN id SET DEFAULT nextval('public.apprmanifestblob_id_seq'::regclass);

--
-- Name: apprmanifestlist id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestlist ALTER COLUMN id SET DEFAULT nextval('public.apprmanifestlist_id_seq'::regclass);

--
-- Name: apprmanifestlistmanifest id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestlistmanifest ALTER COLUMN id SET DEFAULT nextval('public.apprmanifestlistmanifest_id_seq'::regclass);

--
-- Name: apprtag id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprtag ALTER COLUMN id SET DEFAULT nextval('public.apprtag_id_seq'::regclass);

--
-- Name: apprtagkind id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprtagkind ALTER COLUMN id SET DEFAULT nextval('public.apprtagkind_id_seq'::regclass);

--
-- Name: appspecificauthtoken id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appspecificauthtoken ALTER COLUMN id SET DEFAULT nextval('public.appspecificauthtoken_id_seq'::regclass);

--
-- Name: autoprunetaskstatus id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.autoprunetaskstatus ALTER COLUMN id SET DEFAULT nextval('public.autoprunetaskstatus_id_seq'::regclass);

--
-- Name: blobupload id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.blobupload ALTER COLUMN id SET DEFAULT nextval('public.blobupload_id_seq'::regclass);

--
-- Name: buildtriggerservice id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.buildtriggerservice ALTER COLUMN id SET DEFAULT nextval('public.buildtriggerservice_id_seq'::regclass);

--
-- Name: deletednamespace id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deletednamespace ALTER COLUMN id SET DEFAULT nextval('public.deletednamespace_id_seq'::regclass);

--
-- Name: deletedrepository id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deletedrepository ALTER COLUMN id SET DEFAULT nextval('public.deletedrepository_id_seq'::regclass);

--
-- Name: disablereason id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disablereason ALTER COLUMN id SET DEFAULT nextval('public.disablereason_id_seq'::regclass);

--
-- Name: emailconfirmation id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.emailconfirmation ALTER COLUMN id SET DEFAULT nextval('public.emailconfirmation_id_seq'::regclass);

--
-- Name: externalnotificationevent id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.externalnotificationevent ALTER COLUMN id SET DEFAULT nextval('public.externalnotificationevent_id_seq'::regclass);

--
-- Name: externalnotificationmethod id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.externalnotificationmethod ALTER COLUMN id SET DEFAULT nextval('public.externalnotificationmethod_id_seq'::regclass);

--
-- Name: federatedlogin id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.federatedlogin ALTER COLUMN id SET DEFAULT nextval('public.federatedlogin_id_seq'::regclass);

--
-- Name: imagestorage id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestorage ALTER COLUMN id SET DEFAULT nextval('public.imagestorage_id_seq'::regclass);

--
-- Name: imagestoragelocation id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragelocation ALTER COLUMN id SET DEFAULT nextval('public.imagestoragelocation_id_seq'::regclass);

--
-- Name: imagestorageplacement id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestorageplacement ALTER COLUMN id SET DEFAULT nextval('public.imagestorageplacement_id_seq'::regclass);

--
-- Name: imagestoragesignature id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragesignature ALTER COLUMN id SET DEFAULT nextval('public.imagestoragesignature_id_seq'::regclass);

--
-- Name: imagestoragesignaturekind id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragesignaturekind ALTER COLUMN id SET DEFAULT nextval('public.imagestoragesignaturekind_id_seq'::regclass);

--
-- Name: imagestoragetransformation id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragetransformation ALTER COLUMN id SET DEFAULT nextval('public.imagestoragetransformation_id_seq'::regclass);

--
-- Name: label id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.label ALTER COLUMN id SET DEFAULT nextval('public.label_id_seq'::regclass);

--
-- Name: labelsourcetype id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.labelsourcetype ALTER COLUMN id SET DEFAULT nextval('public.labelsourcetype_id_seq'::regclass);

--
-- Name: logentry id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentry ALTER COLUMN id SET DEFAULT nextval('public.logentry_id_seq'::regclass);

--
-- Name: logentry2 id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentry2 ALTER COLUMN id SET DEFAULT nextval('public.logentry2_id_seq'::regclass);

--
-- Name: logentry3 id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentry3 ALTER COLUMN id SET DEFAULT nextval('public.logentry3_id_seq'::regclass);

--
-- Name: logentrykind id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentrykind ALTER COLUMN id SET DEFAULT nextval('public.logentrykind_id_seq'::regclass);

--
-- Name: loginservice id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.loginservice ALTER COLUMN id SET DEFAULT nextval('public.loginservice_id_seq'::regclass);

--
-- Name: manifest id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifest ALTER COLUMN id SET DEFAULT nextval('public.manifest_id_seq'::regclass);

--
-- Name: manifestblob id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestblob ALTER COLUMN id SET DEFAULT nextval('public.manifestblob_id_seq'::regclass);

--
-- Name: manifestchild id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestchild ALTER COLUMN id SET DEFAULT nextval('public.manifestchild_id_seq'::regclass);

--
-- Name: manifestlabel id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestlabel ALTER COLUMN id SET DEFAULT nextval('public.manifestlabel_id_seq'::regclass);

--
-- Name: manifestpullstatistics id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestpullstatistics ALTER COLUMN id SET DEFAULT nextval('public.manifestpullstatistics_id_seq'::regclass);

--
-- Name: manifestsecuritystatus id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestsecuritystatus ALTER COLUMN id SET DEFAULT nextval('public.manifestsecuritystatus_id_seq'::regclass);

--
-- Name: mediatype id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mediatype ALTER COLUMN id SET DEFAULT nextval('public.mediatype_id_seq'::regclass);

--
-- Name: messages id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages ALTER COLUMN id SET DEFAULT nextval('public.messages_id_seq'::regclass);

--
-- Name: namespaceautoprunepolicy id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespaceautoprunepolicy ALTER COLUMN id SET DEFAULT nextval('public.namespaceautoprunepolicy_id_seq'::regclass);

--
-- Name: namespaceimmutabilitypolicy id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespaceimmutabilitypolicy ALTER COLUMN id SET DEFAULT nextval('public.namespaceimmutabilitypolicy_id_seq'::regclass);

--
-- Name: namespacenotification id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespacenotification ALTER COLUMN id SET DEFAULT nextval('public.namespacenotification_id_seq'::regclass);

--
-- Name: notification id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification ALTER COLUMN id SET DEFAULT nextval('public.notification_id_seq'::regclass);

--
-- Name: notificationkind id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notificationkind ALTER COLUMN id SET DEFAULT nextval('public.notificationkind_id_seq'::regclass);

--
-- Name: oauthaccesstoken id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthaccesstoken ALTER COLUMN id SET DEFAULT nextval('public.oauthaccesstoken_id_seq'::regclass);

--
-- Name: oauthapplication id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthapplication ALTER COLUMN id SET DEFAULT nextval('public.oauthapplication_id_seq'::regclass);

--
-- Name: oauthassignedtoken id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthassignedtoken ALTER COLUMN id SET DEFAULT nextval('public.oauthassignedtoken_id_seq'::regclass);

--
-- Name: oauthauthorizationcode id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthauthorizationcode ALTER COLUMN id SET DEFAULT nextval('public.oauthauthorizationcode_id_seq'::regclass);

--
-- Name: organizationcontactemail id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationcontactemail ALTER COLUMN id SET DEFAULT nextval('public.organizationcontactemail_id_seq'::regclass);

--
-- Name: organizationrhskus id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationrhskus ALTER COLUMN id SET DEFAULT nextval('public.organizationrhskus_id_seq'::regclass);

--
-- Name: orgmirrorconfig id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorconfig ALTER COLUMN id SET DEFAULT nextval('public.orgmirrorconfig_id_seq'::regclass);

--
-- Name: orgmirrorrepository id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorrepository ALTER COLUMN id SET DEFAULT nextval('public.orgmirrorrepository_id_seq'::regclass);

--
-- Name: permissionprototype id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.permissionprototype ALTER COLUMN id SET DEFAULT nextval('public.permissionprototype_id_seq'::regclass);

--
-- Name: proxycacheconfig id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.proxycacheconfig ALTER COLUMN id SET DEFAULT nextval('public.proxycacheconfig_id_seq'::regclass);

--
-- Name: quayregion id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quayregion ALTER COLUMN id SET DEFAULT nextval('public.quayregion_id_seq'::regclass);

--
-- Name: quayrelease id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quayrelease ALTER COLUMN id SET DEFAULT nextval('public.quayrelease_id_seq'::regclass);

--
-- Name: quayservice id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quayservice ALTER COLUMN id SET DEFAULT nextval('public.quayservice_id_seq'::regclass);

--
-- Name: queueitem id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.queueitem ALTER COLUMN id SET DEFAULT nextval('public.queueitem_id_seq'::regclass);

--
-- Name: quotalimits id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotalimits ALTER COLUMN id SET DEFAULT nextval('public.quotalimits_id_seq'::regclass);

--
-- Name: quotanamespacesize id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotanamespacesize ALTER COLUMN id SET DEFAULT nextval('public.quotanamespacesize_id_seq'::regclass);

--
-- Name: quotanotificationstate id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotanotificationstate ALTER COLUMN id SET DEFAULT nextval('public.quotanotificationstate_id_seq'::regclass);

--
-- Name: quotaregistrysize id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotaregistrysize ALTER COLUMN id SET DEFAULT nextval('public.quotaregistrysize_id_seq'::regclass);

--
-- Name: quotarepositorysize id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotarepositorysize ALTER COLUMN id SET DEFAULT nextval('public.quotarepositorysize_id_seq'::regclass);

--
-- Name: quotatype id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotatype ALTER COLUMN id SET DEFAULT nextval('public.quotatype_id_seq'::regclass);

--
-- Name: redhatsubscriptions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.redhatsubscriptions ALTER COLUMN id SET DEFAULT nextval('public.redhatsubscriptions_id_seq'::regclass);

--
-- Name: repomirrorconfig id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorconfig ALTER COLUMN id SET DEFAULT nextval('public.repomirrorconfig_id_seq'::regclass);

--
-- Name: repomirrorrule id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorrule ALTER COLUMN id SET DEFAULT nextval('public.repomirrorrule_id_seq'::regclass);

--
-- Name: repository id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repository ALTER COLUMN id SET DEFAULT nextval('public.repository_id_seq'::regclass);

--
-- Name: repositoryactioncount id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryactioncount ALTER COLUMN id SET DEFAULT nextval('public.repositoryactioncount_id_seq'::regclass);

--
-- Name: repositoryauthorizedemail id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryauthorizedemail ALTER COLUMN id SET DEFAULT nextval('public.repositoryauthorizedemail_id_seq'::regclass);

--
-- Name: repositoryautoprunepolicy id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryautoprunepolicy ALTER COLUMN id SET DEFAULT nextval('public.repositoryautoprunepolicy_id_seq'::regclass);

--
-- Name: repositorybuild id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuild ALTER COLUMN id SET DEFAULT nextval('public.repositorybuild_id_seq'::regclass);

--
-- Name: repositorybuildtrigger id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuildtrigger ALTER COLUMN id SET DEFAULT nextval('public.repositorybuildtrigger_id_seq'::regclass);

--
-- Name: repositoryimmutabilitypolicy id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryimmutabilitypolicy ALTER COLUMN id SET DEFAULT nextval('public.repositoryimmutabilitypolicy_id_seq'::regclass);

--
-- Name: repositorykind id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorykind ALTER COLUMN id SET DEFAULT nextval('public.repositorykind_id_seq'::regclass);

--
-- Name: repositorynotification id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorynotification ALTER COLUMN id SET DEFAULT nextval('public.repositorynotification_id_seq'::regclass);

--
-- Name: repositorypermission id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorypermission ALTER COLUMN id SET DEFAULT nextval('public.repositorypermission_id_seq'::regclass);

--
-- Name: repositorysearchscore id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorysearchscore ALTER COLUMN id SET DEFAULT nextval('public.repositorysearchscore_id_seq'::regclass);

--
-- Name: robotaccountmetadata id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.robotaccountmetadata ALTER COLUMN id SET DEFAULT nextval('public.robotaccountmetadata_id_seq'::regclass);

--
-- Name: robotaccounttoken id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.robotaccounttoken ALTER COLUMN id SET DEFAULT nextval('public.robotaccounttoken_id_seq'::regclass);

--
-- Name: role id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role ALTER COLUMN id SET DEFAULT nextval('public.role_id_seq'::regclass);

--
-- Name: servicekey id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.servicekey ALTER COLUMN id SET DEFAULT nextval('public.servicekey_id_seq'::regclass);

--
-- Name: servicekeyapproval id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.servicekeyapproval ALTER COLUMN id SET DEFAULT nextval('public.servicekeyapproval_id_seq'::regclass);

--
-- Name: star id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.star ALTER COLUMN id SET DEFAULT nextval('public.star_id_seq'::regclass);

--
-- Name: tag id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tag ALTER COLUMN id SET DEFAULT nextval('public.tag_id_seq'::regclass);

--
-- Name: tagkind id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagkind ALTER COLUMN id SET DEFAULT nextval('public.tagkind_id_seq'::regclass);

--
-- Name: tagnotificationsuccess id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagnotificationsuccess ALTER COLUMN id SET DEFAULT nextval('public.tagnotificationsuccess_id_seq'::regclass);

--
-- Name: tagpullstatistics id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagpullstatistics ALTER COLUMN id SET DEFAULT nextval('public.tagpullstatistics_id_seq'::regclass);

--
-- Name: team id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.team ALTER COLUMN id SET DEFAULT nextval('public.team_id_seq'::regclass);

--
-- Name: teammember id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammember ALTER COLUMN id SET DEFAULT nextval('public.teammember_id_seq'::regclass);

--
-- Name: teammemberinvite id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammemberinvite ALTER COLUMN id SET DEFAULT nextval('public.teammemberinvite_id_seq'::regclass);

--
-- Name: teamrole id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teamrole ALTER COLUMN id SET DEFAULT nextval('public.teamrole_id_seq'::regclass);

--
-- Name: teamsync id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teamsync ALTER COLUMN id SET DEFAULT nextval('public.teamsync_id_seq'::regclass);

--
-- Name: uploadedblob id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.uploadedblob ALTER COLUMN id SET DEFAULT nextval('public.uploadedblob_id_seq'::regclass);

--
-- Name: user id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."user" ALTER COLUMN id SET DEFAULT nextval('public.user_id_seq'::regclass);

--
-- Name: userorganizationquota id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userorganizationquota ALTER COLUMN id SET DEFAULT nextval('public.userorganizationquota_id_seq'::regclass);

--
-- Name: userprompt id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userprompt ALTER COLUMN id SET DEFAULT nextval('public.userprompt_id_seq'::regclass);

--
-- Name: userpromptkind id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userpromptkind ALTER COLUMN id SET DEFAULT nextval('public.userpromptkind_id_seq'::regclass);

--
-- Name: userregion id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userregion ALTER COLUMN id SET DEFAULT nextval('public.userregion_id_seq'::regclass);

--
-- Name: visibility id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.visibility ALTER COLUMN id SET DEFAULT nextval('public.visibility_id_seq'::regclass);

--
-- Name: alembic_version alembic_version_pkc; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);

--
-- Name: accesstoken pk_accesstoken; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesstoken
    ADD CONSTRAINT pk_accesstoken PRIMARY KEY (id);

--
-- Name: accesstokenkind pk_accesstokenkind; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesstokenkind
    ADD CONSTRAINT pk_accesstokenkind PRIMARY KEY (id);

--
-- Name: apprblob pk_apprblob; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblob
    ADD CONSTRAINT pk_apprblob PRIMARY KEY (id);

--
-- Name: apprblobplacement pk_apprblobplacement; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblobplacement
    ADD CONSTRAINT pk_apprblobplacement PRIMARY KEY (id);

--
-- Name: apprblobplacementlocation pk_apprblobplacementlocation; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblobplacementlocation
    ADD CONSTRAINT pk_apprblobplacementlocation PRIMARY KEY (id);

--
-- Name: apprmanifest pk_apprmanifest; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifest
    ADD CONSTRAINT pk_apprmanifest PRIMARY KEY (id);

--
-- Name: apprmanifestblob pk_apprmanifestblob; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestblob
    ADD CONSTRAINT pk_apprmanifestblob PRIMARY KEY (id);

--
-- Name: apprmanifestlist pk_apprmanifestlist; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestlist
    ADD CONSTRAINT pk_apprmanifestlist PRIMARY KEY (id);

--
-- Name: apprmanifestlistmanifest pk_apprmanifestlistmanifest; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestlistmanifest
    ADD CONSTRAINT pk_apprmanifestlistmanifest PRIMARY KEY (id);

--
-- Name: apprtag pk_apprtag; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprtag
    ADD CONSTRAINT pk_apprtag PRIMARY KEY (id);

--
-- Name: apprtagkind pk_apprtagkind; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprtagkind
    ADD CONSTRAINT pk_apprtagkind PRIMARY KEY (id);

--
-- Name: appspecificauthtoken pk_appspecificauthtoken; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appspecificauthtoken
    ADD CONSTRAINT pk_appspecificauthtoken PRIMARY KEY (id);

--
-- Name: autoprunetaskstatus pk_autoprunetaskstatusid; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.autoprunetaskstatus
    ADD CONSTRAINT pk_autoprunetaskstatusid PRIMARY KEY (id);

--
-- Name: blobupload pk_blobupload; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.blobupload
    ADD CONSTRAINT pk_blobupload PRIMARY KEY (id);

--
-- Name: buildtriggerservice pk_buildtriggerservice; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.buildtriggerservice
    ADD CONSTRAINT pk_buildtriggerservice PRIMARY KEY (id);

--
-- Name: deletednamespace pk_deletednamespace; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deletednamespace
    ADD CONSTRAINT pk_deletednamespace PRIMARY KEY (id);

--
-- Name: deletedrepository pk_deletedrepository; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deletedrepository
    ADD CONSTRAINT pk_deletedrepository PRIMARY KEY (id);

--
-- Name: disablereason pk_disablereason; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disablereason
    ADD CONSTRAINT pk_disablereason PRIMARY KEY (id);

--
-- Name: emailconfirmation pk_emailconfirmation; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.emailconfirmation
    ADD CONSTRAINT pk_emailconfirmation PRIMARY KEY (id);

--
-- Name: externalnotificationevent pk_externalnotificationevent; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.externalnotificationevent
    ADD CONSTRAINT pk_externalnotificationevent PRIMARY KEY (id);

--
-- Name: externalnotificationmethod pk_externalnotificationmethod; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.externalnotificationmethod
    ADD CONSTRAINT pk_externalnotificationmethod PRIMARY KEY (id);

--
-- Name: federatedlogin pk_federatedlogin; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.federatedlogin
    ADD CONSTRAINT pk_federatedlogin PRIMARY KEY (id);

--
-- Name: imagestorage pk_imagestorage; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestorage
    ADD CONSTRAINT pk_imagestorage PRIMARY KEY (id);

--
-- Name: imagestoragelocation pk_imagestoragelocation; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragelocation
    ADD CONSTRAINT pk_imagestoragelocation PRIMARY KEY (id);

--
-- Name: imagestorageplacement pk_imagestorageplacement; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestorageplacement
    ADD CONSTRAINT pk_imagestorageplacement PRIMARY KEY (id);

--
-- Name: imagestoragesignature pk_imagestoragesignature; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragesignature
    ADD CONSTRAINT pk_imagestoragesignature PRIMARY KEY (id);

--
-- Name: imagestoragesignaturekind pk_imagestoragesignaturekind; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragesignaturekind
    ADD CONSTRAINT pk_imagestoragesignaturekind PRIMARY KEY (id);

--
-- Name: imagestoragetransformation pk_imagestoragetransformation; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragetransformation
    ADD CONSTRAINT pk_imagestoragetransformation PRIMARY KEY (id);

--
-- Name: label pk_label; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.label
    ADD CONSTRAINT pk_label PRIMARY KEY (id);

--
-- Name: labelsourcetype pk_labelsourcetype; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.labelsourcetype
    ADD CONSTRAINT pk_labelsourcetype PRIMARY KEY (id);

--
-- Name: logentry pk_logentry; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentry
    ADD CONSTRAINT pk_logentry PRIMARY KEY (id);

--
-- Name: logentry2 pk_logentry2; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentry2
    ADD CONSTRAINT pk_logentry2 PRIMARY KEY (id);

--
-- Name: logentry3 pk_logentry3; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentry3
    ADD CONSTRAINT pk_logentry3 PRIMARY KEY (id);

--
-- Name: logentrykind pk_logentrykind; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentrykind
    ADD CONSTRAINT pk_logentrykind PRIMARY KEY (id);

--
-- Name: loginservice pk_loginservice; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.loginservice
    ADD CONSTRAINT pk_loginservice PRIMARY KEY (id);

--
-- Name: manifest pk_manifest; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifest
    ADD CONSTRAINT pk_manifest PRIMARY KEY (id);

--
-- Name: manifestblob pk_manifestblob; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestblob
    ADD CONSTRAINT pk_manifestblob PRIMARY KEY (id);

--
-- Name: manifestchild pk_manifestchild; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestchild
    ADD CONSTRAINT pk_manifestchild PRIMARY KEY (id);

--
-- Name: manifestlabel pk_manifestlabel; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestlabel
    ADD CONSTRAINT pk_manifestlabel PRIMARY KEY (id);

--
-- Name: manifestpullstatistics pk_manifestpullstatistics; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestpullstatistics
    ADD CONSTRAINT pk_manifestpullstatistics PRIMARY KEY (id);

--
-- Name: manifestsecuritystatus pk_manifestsecuritystatus; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestsecuritystatus
    ADD CONSTRAINT pk_manifestsecuritystatus PRIMARY KEY (id);

--
-- Name: mediatype pk_mediatype; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mediatype
    ADD CONSTRAINT pk_mediatype PRIMARY KEY (id);

--
-- Name: messages pk_messages; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT pk_messages PRIMARY KEY (id);

--
-- Name: namespaceautoprunepolicy pk_namespaceautoprunepolicyid; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespaceautoprunepolicy
    ADD CONSTRAINT pk_namespaceautoprunepolicyid PRIMARY KEY (id);

--
-- Name: namespaceimmutabilitypolicy pk_namespaceimmutabilitypolicyid; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespaceimmutabilitypolicy
    ADD CONSTRAINT pk_namespaceimmutabilitypolicyid PRIMARY KEY (id);

--
-- Name: namespacenotification pk_namespacenotification; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespacenotification
    ADD CONSTRAINT pk_namespacenotification PRIMARY KEY (id);

--
-- Name: notification pk_notification; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification
    ADD CONSTRAINT pk_notification PRIMARY KEY (id);

--
-- Name: notificationkind pk_notificationkind; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notificationkind
    ADD CONSTRAINT pk_notificationkind PRIMARY KEY (id);

--
-- Name: oauthaccesstoken pk_oauthaccesstoken; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthaccesstoken
    ADD CONSTRAINT pk_oauthaccesstoken PRIMARY KEY (id);

--
-- Name: oauthapplication pk_oauthapplication; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthapplication
    ADD CONSTRAINT pk_oauthapplication PRIMARY KEY (id);

--
-- Name: oauthassignedtoken pk_oauthassignedtoken; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthassignedtoken
    ADD CONSTRAINT pk_oauthassignedtoken PRIMARY KEY (id);

--
-- Name: oauthauthorizationcode pk_oauthauthorizationcode; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthauthorizationcode
    ADD CONSTRAINT pk_oauthauthorizationcode PRIMARY KEY (id);

--
-- Name: organizationcontactemail pk_organizationcontactemail; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationcontactemail
    ADD CONSTRAINT pk_organizationcontactemail PRIMARY KEY (id);

--
-- Name: organizationrhskus pk_organizationrhskus; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationrhskus
    ADD CONSTRAINT pk_organizationrhskus PRIMARY KEY (id);

--
-- Name: orgmirrorconfig pk_orgmirrorconfig; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorconfig
    ADD CONSTRAINT pk_orgmirrorconfig PRIMARY KEY (id);

--
-- Name: orgmirrorrepository pk_orgmirrorrepository; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorrepository
    ADD CONSTRAINT pk_orgmirrorrepository PRIMARY KEY (id);

--
-- Name: permissionprototype pk_permissionprototype; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.permissionprototype
    ADD CONSTRAINT pk_permissionprototype PRIMARY KEY (id);

--
-- Name: proxycacheconfig pk_proxy_cache_config; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.proxycacheconfig
    ADD CONSTRAINT pk_proxy_cache_config PRIMARY KEY (id);

--
-- Name: quayregion pk_quayregion; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quayregion
    ADD CONSTRAINT pk_quayregion PRIMARY KEY (id);

--
-- Name: quayrelease pk_quayrelease; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quayrelease
    ADD CONSTRAINT pk_quayrelease PRIMARY KEY (id);

--
-- Name: quayservice pk_quayservice; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quayservice
    ADD CONSTRAINT pk_quayservice PRIMARY KEY (id);

--
-- Name: queueitem pk_queueitem; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.queueitem
    ADD CONSTRAINT pk_queueitem PRIMARY KEY (id);

--
-- Name: quotalimits pk_quotalimits; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotalimits
    ADD CONSTRAINT pk_quotalimits PRIMARY KEY (id);

--
-- Name: quotanamespacesize pk_quotanamespacesizeid; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotanamespacesize
    ADD CONSTRAINT pk_quotanamespacesizeid PRIMARY KEY (id);

--
-- Name: quotanotificationstate pk_quotanotificationstate; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotanotificationstate
    ADD CONSTRAINT pk_quotanotificationstate PRIMARY KEY (id);

--
-- Name: quotaregistrysize pk_quotaregistrysizeid; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotaregistrysize
    ADD CONSTRAINT pk_quotaregistrysizeid PRIMARY KEY (id);

--
-- Name: quotarepositorysize pk_quotarepositorysizeid; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotarepositorysize
    ADD CONSTRAINT pk_quotarepositorysizeid PRIMARY KEY (id);

--
-- Name: quotatype pk_quotatype; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotatype
    ADD CONSTRAINT pk_quotatype PRIMARY KEY (id);

--
-- Name: redhatsubscriptions pk_redhatsubscriptions; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.redhatsubscriptions
    ADD CONSTRAINT pk_redhatsubscriptions PRIMARY KEY (id);

--
-- Name: repomirrorconfig pk_repomirrorconfig; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorconfig
    ADD CONSTRAINT pk_repomirrorconfig PRIMARY KEY (id);

--
-- Name: repomirrorrule pk_repomirrorrule; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorrule
    ADD CONSTRAINT pk_repomirrorrule PRIMARY KEY (id);

--
-- Name: repository pk_repository; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repository
    ADD CONSTRAINT pk_repository PRIMARY KEY (id);

--
-- Name: repositoryactioncount pk_repositoryactioncount; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryactioncount
    ADD CONSTRAINT pk_repositoryactioncount PRIMARY KEY (id);

--
-- Name: repositoryauthorizedemail pk_repositoryauthorizedemail; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryauthorizedemail
    ADD CONSTRAINT pk_repositoryauthorizedemail PRIMARY KEY (id);

--
-- Name: repositoryautoprunepolicy pk_repositoryautoprunepolicyid; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryautoprunepolicy
    ADD CONSTRAINT pk_repositoryautoprunepolicyid PRIMARY KEY (id);

--
-- Name: repositorybuild pk_repositorybuild; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuild
    ADD CONSTRAINT pk_repositorybuild PRIMARY KEY (id);

--
-- Name: repositorybuildtrigger pk_repositorybuildtrigger; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuildtrigger
    ADD CONSTRAINT pk_repositorybuildtrigger PRIMARY KEY (id);

--
-- Name: repositoryimmutabilitypolicy pk_repositoryimmutabilitypolicyid; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryimmutabilitypolicy
    ADD CONSTRAINT pk_repositoryimmutabilitypolicyid PRIMARY KEY (id);

--
-- Name: repositorykind pk_repositorykind; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorykind
    ADD CONSTRAINT pk_repositorykind PRIMARY KEY (id);

--
-- Name: repositorynotification pk_repositorynotification; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorynotification
    ADD CONSTRAINT pk_repositorynotification PRIMARY KEY (id);

--
-- Name: repositorypermission pk_repositorypermission; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorypermission
    ADD CONSTRAINT pk_repositorypermission PRIMARY KEY (id);

--
-- Name: repositorysearchscore pk_repositorysearchscore; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorysearchscore
    ADD CONSTRAINT pk_repositorysearchscore PRIMARY KEY (id);

--
-- Name: robotaccountmetadata pk_robotaccountmetadata; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.robotaccountmetadata
    ADD CONSTRAINT pk_robotaccountmetadata PRIMARY KEY (id);

--
-- Name: robotaccounttoken pk_robotaccounttoken; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.robotaccounttoken
    ADD CONSTRAINT pk_robotaccounttoken PRIMARY KEY (id);

--
-- Name: role pk_role; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role
    ADD CONSTRAINT pk_role PRIMARY KEY (id);

--
-- Name: servicekey pk_servicekey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.servicekey
    ADD CONSTRAINT pk_servicekey PRIMARY KEY (id);

--
-- Name: servicekeyapproval pk_servicekeyapproval; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.servicekeyapproval
    ADD CONSTRAINT pk_servicekeyapproval PRIMARY KEY (id);

--
-- Name: star pk_star; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.star
    ADD CONSTRAINT pk_star PRIMARY KEY (id);

--
-- Name: tag pk_tag; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT pk_tag PRIMARY KEY (id);

--
-- Name: tagnotificationsuccess pk_tag_notification_success; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagnotificationsuccess
    ADD CONSTRAINT pk_tag_notification_success PRIMARY KEY (id);

--
-- Name: tagkind pk_tagkind; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagkind
    ADD CONSTRAINT pk_tagkind PRIMARY KEY (id);

--
-- Name: tagpullstatistics pk_tagpullstatistics; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagpullstatistics
    ADD CONSTRAINT pk_tagpullstatistics PRIMARY KEY (id);

--
-- Name: team pk_team; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.team
    ADD CONSTRAINT pk_team PRIMARY KEY (id);

--
-- Name: teammember pk_teammember; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammember
    ADD CONSTRAINT pk_teammember PRIMARY KEY (id);

--
-- Name: teammemberinvite pk_teammemberinvite; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammemberinvite
    ADD CONSTRAINT pk_teammemberinvite PRIMARY KEY (id);

--
-- Name: teamrole pk_teamrole; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teamrole
    ADD CONSTRAINT pk_teamrole PRIMARY KEY (id);

--
-- Name: teamsync pk_teamsync; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teamsync
    ADD CONSTRAINT pk_teamsync PRIMARY KEY (id);

--
-- Name: uploadedblob pk_uploadedblob; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.uploadedblob
    ADD CONSTRAINT pk_uploadedblob PRIMARY KEY (id);

--
-- Name: user pk_user; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public."user"
    ADD CONSTRAINT pk_user PRIMARY KEY (id);

--
-- Name: userorganizationquota pk_userorganizationquota; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userorganizationquota
    ADD CONSTRAINT pk_userorganizationquota PRIMARY KEY (id);

--
-- Name: userprompt pk_userprompt; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userprompt
    ADD CONSTRAINT pk_userprompt PRIMARY KEY (id);

--
-- Name: userpromptkind pk_userpromptkind; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userpromptkind
    ADD CONSTRAINT pk_userpromptkind PRIMARY KEY (id);

--
-- Name: userregion pk_userregion; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userregion
    ADD CONSTRAINT pk_userregion PRIMARY KEY (id);

--
-- Name: visibility pk_visibility; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.visibility
    ADD CONSTRAINT pk_visibility PRIMARY KEY (id);

--
-- Name: accesstoken_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX accesstoken_kind_id ON public.accesstoken USING btree (kind_id);

--
-- Name: accesstoken_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX accesstoken_repository_id ON public.accesstoken USING btree (repository_id);

--
-- Name: accesstoken_role_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX accesstoken_role_id ON public.accesstoken USING btree (role_id);

--
-- Name: accesstoken_token_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX accesstoken_token_name ON public.accesstoken USING btree (token_name);

--
-- Name: accesstokenkind_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX accesstokenkind_name ON public.accesstokenkind USING btree (name);

--
-- Name: apprblob_digest; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX apprblob_digest ON public.apprblob USING btree (digest);

--
-- Name: apprblob_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprblob_media_type_id ON public.apprblob USING btree (media_type_id);

--
-- Name: apprblobplacement_blob_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprblobplacement_blob_id ON public.apprblobplacement USING btree (blob_id);

--
-- Name: apprblobplacement_blob_id_location_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX apprblobplacement_blob_id_location_id ON public.apprblobplacement USING btree (blob_id, location_id);

--
-- Name: apprblobplacement_location_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprblobplacement_location_id ON public.apprblobplacement USING btree (location_id);

--
-- Name: apprblobplacementlocation_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX apprblobplacementlocation_name ON public.apprblobplacementlocation USING btree (name);

--
-- Name: apprmanifest_digest; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX apprmanifest_digest ON public.apprmanifest USING btree (digest);

--
-- Name: apprmanifest_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifest_media_type_id ON public.apprmanifest USING btree (media_type_id);

--
-- Name: apprmanifestblob_blob_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifestblob_blob_id ON public.apprmanifestblob USING btree (blob_id);

--
-- Name: apprmanifestblob_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifestblob_manifest_id ON public.apprmanifestblob USING btree (manifest_id);

--
-- Name: apprmanifestblob_manifest_id_blob_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX apprmanifestblob_manifest_id_blob_id ON public.apprmanifestblob USING btree (manifest_id, blob_id);

--
-- Name: apprmanifestlist_digest; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX apprmanifestlist_digest ON public.apprmanifestlist USING btree (digest);

--
-- Name: apprmanifestlist_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifestlist_media_type_id ON public.apprmanifestlist USING btree (media_type_id);

--
-- Name: apprmanifestlistmanifest_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifestlistmanifest_manifest_id ON public.apprmanifestlistmanifest USING btree (manifest_id);

--
-- Name: apprmanifestlistmanifest_manifest_list_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifestlistmanifest_manifest_list_id ON public.apprmanifestlistmanifest USING btree (manifest_list_id);

--
-- Name: apprmanifestlistmanifest_manifest_list_id_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifestlistmanifest_manifest_list_id_media_type_id ON public.apprmanifestlistmanifest USING btree (manifest_list_id, media_type_id);

--
-- Name: apprmanifestlistmanifest_manifest_list_id_operating_system_arch; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifestlistmanifest_manifest_list_id_operating_system_arch ON public.apprmanifestlistmanifest USING btree (manifest_list_id, operating_system, architecture, media_type_id);

--
-- Name: apprmanifestlistmanifest_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprmanifestlistmanifest_media_type_id ON public.apprmanifestlistmanifest USING btree (media_type_id);

--
-- Name: apprtag_lifetime_end; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprtag_lifetime_end ON public.apprtag USING btree (lifetime_end);

--
-- Name: apprtag_linked_tag_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprtag_linked_tag_id ON public.apprtag USING btree (linked_tag_id);

--
-- Name: apprtag_manifest_list_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprtag_manifest_list_id ON public.apprtag USING btree (manifest_list_id);

--
-- Name: apprtag_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprtag_repository_id ON public.apprtag USING btree (repository_id);

--
-- Name: apprtag_repository_id_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprtag_repository_id_name ON public.apprtag USING btree (repository_id, name);

--
-- Name: apprtag_repository_id_name_hidden; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprtag_repository_id_name_hidden ON public.apprtag USING btree (repository_id, name, hidden);

--
-- Name: apprtag_repository_id_name_lifetime_end; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX apprtag_repository_id_name_lifetime_end ON public.apprtag USING btree (repository_id, name, lifetime_end);

--
-- Name: apprtag_tag_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX apprtag_tag_kind_id ON public.apprtag USING btree (tag_kind_id);

--
-- Name: apprtagkind_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX apprtagkind_name ON public.apprtagkind USING btree (name);

--
-- Name: appspecificauthtoken_token_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX appspecificauthtoken_token_name ON public.appspecificauthtoken USING btree (token_name);

--
-- Name: appspecificauthtoken_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX appspecificauthtoken_user_id ON public.appspecificauthtoken USING btree (user_id);

--
-- Name: appspecificauthtoken_user_id_expiration; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX appspecificauthtoken_user_id_expiration ON public.appspecificauthtoken USING btree (user_id, expiration);

--
-- Name: appspecificauthtoken_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX appspecificauthtoken_uuid ON public.appspecificauthtoken USING btree (uuid);

--
-- Name: autoprunetaskstatus_last_ran_ms; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX autoprunetaskstatus_last_ran_ms ON public.autoprunetaskstatus USING btree (last_ran_ms);

--
-- Name: autoprunetaskstatus_namespace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX autoprunetaskstatus_namespace_id ON public.autoprunetaskstatus USING btree (namespace_id);

--
-- Name: blobupload_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX blobupload_created ON public.blobupload USING btree (created);

--
-- Name: blobupload_location_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX blobupload_location_id ON public.blobupload USING btree (location_id);

--
-- Name: blobupload_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX blobupload_repository_id ON public.blobupload USING btree (repository_id);

--
-- Name: blobupload_repository_id_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX blobupload_repository_id_uuid ON public.blobupload USING btree (repository_id, uuid);

--
-- Name: blobupload_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX blobupload_uuid ON public.blobupload USING btree (uuid);

--
-- Name: buildtriggerservice_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX buildtriggerservice_name ON public.buildtriggerservice USING btree (name);

--
-- Name: deletednamespace_namespace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX deletednamespace_namespace_id ON public.deletednamespace USING btree (namespace_id);

--
-- Name: deletednamespace_original_email; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deletednamespace_original_email ON public.deletednamespace USING btree (original_email);

--
-- Name: deletednamespace_original_username; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deletednamespace_original_username ON public.deletednamespace USING btree (original_username);

--
-- Name: deletednamespace_queue_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deletednamespace_queue_id ON public.deletednamespace USING btree (queue_id);

--
-- Name: deletedrepository_original_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deletedrepository_original_name ON public.deletedrepository USING btree (original_name);

--
-- Name: deletedrepository_queue_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deletedrepository_queue_id ON public.deletedrepository USING btree (queue_id);

--
-- Name: deletedrepository_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX deletedrepository_repository_id ON public.deletedrepository USING btree (repository_id);

--
-- Name: disablereason_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX disablereason_name ON public.disablereason USING btree (name);

--
-- Name: emailconfirmation_code; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX emailconfirmation_code ON public.emailconfirmation USING btree (code);

--
-- Name: emailconfirmation_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX emailconfirmation_user_id ON public.emailconfirmation USING btree (user_id);

--
-- Name: externalnotificationevent_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX externalnotificationevent_name ON public.externalnotificationevent USING btree (name);

--
-- Name: externalnotificationmethod_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX externalnotificationmethod_name ON public.externalnotificationmethod USING btree (name);

--
-- Name: federatedlogin_service_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX federatedlogin_service_id ON public.federatedlogin USING btree (service_id);

--
-- Name: federatedlogin_service_id_service_ident; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX federatedlogin_service_id_service_ident ON public.federatedlogin USING btree (service_id, service_ident);

--
-- Name: federatedlogin_service_id_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX federatedlogin_service_id_user_id ON public.federatedlogin USING btree (service_id, user_id);

--
-- Name: federatedlogin_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX federatedlogin_user_id ON public.federatedlogin USING btree (user_id);

--
-- Name: imagestorage_content_checksum; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX imagestorage_content_checksum ON public.imagestorage USING btree (content_checksum);

--
-- Name: imagestorage_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX imagestorage_uuid ON public.imagestorage USING btree (uuid);

--
-- Name: imagestoragelocation_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX imagestoragelocation_name ON public.imagestoragelocation USING btree (name);

--
-- Name: imagestorageplacement_location_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX imagestorageplacement_location_id ON public.imagestorageplacement USING btree (location_id);

--
-- Name: imagestorageplacement_storage_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX imagestorageplacement_storage_id ON public.imagestorageplacement USING btree (storage_id);

--
-- Name: imagestorageplacement_storage_id_location_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX imagestorageplacement_storage_id_location_id ON public.imagestorageplacement USING btree (storage_id, location_id);

--
-- Name: imagestoragesignature_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX imagestoragesignature_kind_id ON public.imagestoragesignature USING btree (kind_id);

--
-- Name: imagestoragesignature_kind_id_storage_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX imagestoragesignature_kind_id_storage_id ON public.imagestoragesignature USING btree (kind_id, storage_id);

--
-- Name: imagestoragesignature_storage_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX imagestoragesignature_storage_id ON public.imagestoragesignature USING btree (storage_id);

--
-- Name: imagestoragesignaturekind_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX imagestoragesignaturekind_name ON public.imagestoragesignaturekind USING btree (name);

--
-- Name: imagestoragetransformation_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX imagestoragetransformation_name ON public.imagestoragetransformation USING btree (name);

--
-- Name: label_key; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX label_key ON public.label USING btree (key);

--
-- Name: label_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX label_media_type_id ON public.label USING btree (media_type_id);

--
-- Name: label_source_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX label_source_type_id ON public.label USING btree (source_type_id);

--
-- Name: label_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX label_uuid ON public.label USING btree (uuid);

--
-- Name: labelsourcetype_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX labelsourcetype_name ON public.labelsourcetype USING btree (name);

--
-- Name: logentry2_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_account_id ON public.logentry2 USING btree (account_id);

--
-- Name: logentry2_account_id_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_account_id_datetime ON public.logentry2 USING btree (account_id, datetime);

--
-- Name: logentry2_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_datetime ON public.logentry2 USING btree (datetime);

--
-- Name: logentry2_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_kind_id ON public.logentry2 USING btree (kind_id);

--
-- Name: logentry2_performer_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_performer_id ON public.logentry2 USING btree (performer_id);

--
-- Name: logentry2_performer_id_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_performer_id_datetime ON public.logentry2 USING btree (performer_id, datetime);

--
-- Name: logentry2_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_repository_id ON public.logentry2 USING btree (repository_id);

--
-- Name: logentry2_repository_id_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_repository_id_datetime ON public.logentry2 USING btree (repository_id, datetime);

--
-- Name: logentry2_repository_id_datetime_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry2_repository_id_datetime_kind_id ON public.logentry2 USING btree (repository_id, datetime, kind_id);

--
-- Name: logentry3_account_id_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry3_account_id_datetime ON public.logentry3 USING btree (account_id, datetime);

--
-- Name: logentry3_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry3_datetime ON public.logentry3 USING btree (datetime);

--
-- Name: logentry3_performer_id_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry3_performer_id_datetime ON public.logentry3 USING btree (performer_id, datetime);

--
-- Name: logentry3_repository_id_datetime_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry3_repository_id_datetime_kind_id ON public.logentry3 USING btree (repository_id, datetime, kind_id);

--
-- Name: logentry_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_account_id ON public.logentry USING btree (account_id);

--
-- Name: logentry_account_id_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_account_id_datetime ON public.logentry USING btree (account_id, datetime);

--
-- Name: logentry_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_datetime ON public.logentry USING btree (datetime);

--
-- Name: logentry_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_kind_id ON public.logentry USING btree (kind_id);

--
-- Name: logentry_performer_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_performer_id ON public.logentry USING btree (performer_id);

--
-- Name: logentry_performer_id_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_performer_id_datetime ON public.logentry USING btree (performer_id, datetime);

--
-- Name: logentry_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_repository_id ON public.logentry USING btree (repository_id);

--
-- Name: logentry_repository_id_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_repository_id_datetime ON public.logentry USING btree (repository_id, datetime);

--
-- Name: logentry_repository_id_datetime_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX logentry_repository_id_datetime_kind_id ON public.logentry USING btree (repository_id, datetime, kind_id);

--
-- Name: logentrykind_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX logentrykind_name ON public.logentrykind USING btree (name);

--
-- Name: loginservice_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX loginservice_name ON public.loginservice USING btree (name);

--
-- Name: manifest_artifact_type_backfilled; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_artifact_type_backfilled ON public.manifest USING btree (artifact_type_backfilled);

--
-- Name: manifest_digest; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_digest ON public.manifest USING btree (digest);

--
-- Name: manifest_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_media_type_id ON public.manifest USING btree (media_type_id);

--
-- Name: manifest_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_repository_id ON public.manifest USING btree (repository_id);

--
-- Name: manifest_repository_id_artifact_type; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_repository_id_artifact_type ON public.manifest USING btree (repository_id, artifact_type);

--
-- Name: manifest_repository_id_config_media_type; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_repository_id_config_media_type ON public.manifest USING btree (repository_id, config_media_type);

--
-- Name: manifest_repository_id_digest; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX manifest_repository_id_digest ON public.manifest USING btree (repository_id, digest);

--
-- Name: manifest_repository_id_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_repository_id_media_type_id ON public.manifest USING btree (repository_id, media_type_id);

--
-- Name: manifest_repository_id_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_repository_id_subject ON public.manifest USING btree (repository_id, subject);

--
-- Name: manifest_subject_backfilled; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifest_subject_backfilled ON public.manifest USING btree (subject_backfilled);

--
-- Name: manifestblob_blob_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestblob_blob_id ON public.manifestblob USING btree (blob_id);

--
-- Name: manifestblob_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestblob_manifest_id ON public.manifestblob USING btree (manifest_id);

--
-- Name: manifestblob_manifest_id_blob_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX manifestblob_manifest_id_blob_id ON public.manifestblob USING btree (manifest_id, blob_id);

--
-- Name: manifestblob_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestblob_repository_id ON public.manifestblob USING btree (repository_id);

--
-- Name: manifestblob_repository_id_blob_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestblob_repository_id_blob_id ON public.manifestblob USING btree (repository_id, blob_id);

--
-- Name: manifestchild_child_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestchild_child_manifest_id ON public.manifestchild USING btree (child_manifest_id);

--
-- Name: manifestchild_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestchild_manifest_id ON public.manifestchild USING btree (manifest_id);

--
-- Name: manifestchild_manifest_id_child_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX manifestchild_manifest_id_child_manifest_id ON public.manifestchild USING btree (manifest_id, child_manifest_id);

--
-- Name: manifestchild_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestchild_repository_id ON public.manifestchild USING btree (repository_id);

--
-- Name: manifestchild_repository_id_child_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestchild_repository_id_child_manifest_id ON public.manifestchild USING btree (repository_id, child_manifest_id);

--
-- Name: manifestchild_repository_id_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestchild_repository_id_manifest_id ON public.manifestchild USING btree (repository_id, manifest_id);

--
-- Name: manifestchild_repository_id_manifest_id_child_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestchild_repository_id_manifest_id_child_manifest_id ON public.manifestchild USING btree (repository_id, manifest_id, child_manifest_id);

--
-- Name: manifestlabel_label_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestlabel_label_id ON public.manifestlabel USING btree (label_id);

--
-- Name: manifestlabel_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestlabel_manifest_id ON public.manifestlabel USING btree (manifest_id);

--
-- Name: manifestlabel_manifest_id_label_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX manifestlabel_manifest_id_label_id ON public.manifestlabel USING btree (manifest_id, label_id);

--
-- Name: manifestlabel_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestlabel_repository_id ON public.manifestlabel USING btree (repository_id);

--
-- Name: manifestpullstatistics_repository_id_manifest_digest; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX manifestpullstatistics_repository_id_manifest_digest ON public.manifestpullstatistics USING btree (repository_id, manifest_digest);

--
-- Name: manifestsecuritystatus_index_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestsecuritystatus_index_status ON public.manifestsecuritystatus USING btree (index_status);

--
-- Name: manifestsecuritystatus_indexer_hash; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestsecuritystatus_indexer_hash ON public.manifestsecuritystatus USING btree (indexer_hash);

--
-- Name: manifestsecuritystatus_indexer_version; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestsecuritystatus_indexer_version ON public.manifestsecuritystatus USING btree (indexer_version);

--
-- Name: manifestsecuritystatus_last_indexed; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestsecuritystatus_last_indexed ON public.manifestsecuritystatus USING btree (last_indexed);

--
-- Name: manifestsecuritystatus_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX manifestsecuritystatus_manifest_id ON public.manifestsecuritystatus USING btree (manifest_id);

--
-- Name: manifestsecuritystatus_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX manifestsecuritystatus_repository_id ON public.manifestsecuritystatus USING btree (repository_id);

--
-- Name: mediatype_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX mediatype_name ON public.mediatype USING btree (name);

--
-- Name: messages_media_type_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_media_type_id ON public.messages USING btree (media_type_id);

--
-- Name: messages_severity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_severity ON public.messages USING btree (severity);

--
-- Name: messages_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX messages_uuid ON public.messages USING btree (uuid);

--
-- Name: namespaceautoprunepolicy_namespace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX namespaceautoprunepolicy_namespace_id ON public.namespaceautoprunepolicy USING btree (namespace_id);

--
-- Name: namespaceautoprunepolicy_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX namespaceautoprunepolicy_uuid ON public.namespaceautoprunepolicy USING btree (uuid);

--
-- Name: namespaceimmutabilitypolicy_namespace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX namespaceimmutabilitypolicy_namespace_id ON public.namespaceimmutabilitypolicy USING btree (namespace_id);

--
-- Name: namespaceimmutabilitypolicy_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX namespaceimmutabilitypolicy_uuid ON public.namespaceimmutabilitypolicy USING btree (uuid);

--
-- Name: namespacenotification_namespace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX namespacenotification_namespace_id ON public.namespacenotification USING btree (namespace_id);

--
-- Name: namespacenotification_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX namespacenotification_uuid ON public.namespacenotification USING btree (uuid);

--
-- Name: notification_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notification_created ON public.notification USING btree (created);

--
-- Name: notification_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notification_kind_id ON public.notification USING btree (kind_id);

--
-- Name: notification_lookup_path; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notification_lookup_path ON public.notification USING btree (lookup_path);

--
-- Name: notification_target_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notification_target_id ON public.notification USING btree (target_id);

--
-- Name: notification_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notification_uuid ON public.notification USING btree (uuid);

--
-- Name: notificationkind_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX notificationkind_name ON public.notificationkind USING btree (name);

--
-- Name: oauthaccesstoken_application_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthaccesstoken_application_id ON public.oauthaccesstoken USING btree (application_id);

--
-- Name: oauthaccesstoken_application_id_last_accessed; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthaccesstoken_application_id_last_accessed ON public.oauthaccesstoken USING btree (application_id, last_accessed);

--
-- Name: oauthaccesstoken_authorized_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthaccesstoken_authorized_user_id ON public.oauthaccesstoken USING btree (authorized_user_id);

--
-- Name: oauthaccesstoken_token_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX oauthaccesstoken_token_name ON public.oauthaccesstoken USING btree (token_name);

--
-- Name: oauthaccesstoken_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthaccesstoken_uuid ON public.oauthaccesstoken USING btree (uuid);

--
-- Name: oauthapplication_client_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthapplication_client_id ON public.oauthapplication USING btree (client_id);

--
-- Name: oauthapplication_organization_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthapplication_organization_id ON public.oauthapplication USING btree (organization_id);

--
-- Name: oauthassignedtoken_application_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthassignedtoken_application_id ON public.oauthassignedtoken USING btree (application_id);

--
-- Name: oauthassignedtoken_assigned_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthassignedtoken_assigned_user ON public.oauthassignedtoken USING btree (assigned_user_id);

--
-- Name: oauthassignedtoken_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX oauthassignedtoken_uuid ON public.oauthassignedtoken USING btree (uuid);

--
-- Name: oauthauthorizationcode_application_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauthauthorizationcode_application_id ON public.oauthauthorizationcode USING btree (application_id);

--
-- Name: oauthauthorizationcode_code_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX oauthauthorizationcode_code_name ON public.oauthauthorizationcode USING btree (code_name);

--
-- Name: organizationcontactemail_contact_email; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX organizationcontactemail_contact_email ON public.organizationcontactemail USING btree (contact_email);

--
-- Name: organizationcontactemail_organization_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX organizationcontactemail_organization_id ON public.organizationcontactemail USING btree (organization_id);

--
-- Name: organizationrhskus_subscription_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX organizationrhskus_subscription_id ON public.organizationrhskus USING btree (subscription_id);

--
-- Name: organizationrhskus_subscription_id_org_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX organizationrhskus_subscription_id_org_id ON public.organizationrhskus USING btree (subscription_id, org_id);

--
-- Name: organizationrhskus_subscription_id_org_id_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX organizationrhskus_subscription_id_org_id_user_id ON public.organizationrhskus USING btree (subscription_id, org_id, user_id);

--
-- Name: orgmirrorconfig_internal_robot_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgmirrorconfig_internal_robot_id ON public.orgmirrorconfig USING btree (internal_robot_id);

--
-- Name: orgmirrorconfig_organization_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX orgmirrorconfig_organization_id ON public.orgmirrorconfig USING btree (organization_id);

--
-- Name: orgmirrorconfig_sync_start_date; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgmirrorconfig_sync_start_date ON public.orgmirrorconfig USING btree (sync_start_date);

--
-- Name: orgmirrorconfig_sync_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgmirrorconfig_sync_status ON public.orgmirrorconfig USING btree (sync_status);

--
-- Name: orgmirrorrepository_config_repo_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX orgmirrorrepository_config_repo_name ON public.orgmirrorrepository USING btree (org_mirror_config_id, repository_name);

--
-- Name: orgmirrorrepository_config_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgmirrorrepository_config_status ON public.orgmirrorrepository USING btree (org_mirror_config_id, sync_status);

--
-- Name: orgmirrorrepository_org_mirror_config_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgmirrorrepository_org_mirror_config_id ON public.orgmirrorrepository USING btree (org_mirror_config_id);

--
-- Name: orgmirrorrepository_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgmirrorrepository_repository_id ON public.orgmirrorrepository USING btree (repository_id);

--
-- Name: orgmirrorrepository_sync_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orgmirrorrepository_sync_status ON public.orgmirrorrepository USING btree (sync_status);

--
-- Name: permissionprototype_activating_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX permissionprototype_activating_user_id ON public.permissionprototype USING btree (activating_user_id);

--
-- Name: permissionprototype_delegate_team_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX permissionprototype_delegate_team_id ON public.permissionprototype USING btree (delegate_team_id);

--
-- Name: permissionprototype_delegate_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX permissionprototype_delegate_user_id ON public.permissionprototype USING btree (delegate_user_id);

--
-- Name: permissionprototype_org_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX permissionprototype_org_id ON public.permissionprototype USING btree (org_id);

--
-- Name: permissionprototype_org_id_activating_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX permissionprototype_org_id_activating_user_id ON public.permissionprototype USING btree (org_id, activating_user_id);

--
-- Name: permissionprototype_role_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX permissionprototype_role_id ON public.permissionprototype USING btree (role_id);

--
-- Name: permissionprototype_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX permissionprototype_uuid ON public.permissionprototype USING btree (uuid);

--
-- Name: quayregion_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX quayregion_name ON public.quayregion USING btree (name);

--
-- Name: quayrelease_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quayrelease_created ON public.quayrelease USING btree (created);

--
-- Name: quayrelease_region_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quayrelease_region_id ON public.quayrelease USING btree (region_id);

--
-- Name: quayrelease_service_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quayrelease_service_id ON public.quayrelease USING btree (service_id);

--
-- Name: quayrelease_service_id_region_id_created; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quayrelease_service_id_region_id_created ON public.quayrelease USING btree (service_id, region_id, created);

--
-- Name: quayrelease_service_id_version_region_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX quayrelease_service_id_version_region_id ON public.quayrelease USING btree (service_id, version, region_id);

--
-- Name: quayservice_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX quayservice_name ON public.quayservice USING btree (name);

--
-- Name: queueitem_pe_aafter_qname_rremaining_available; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX queueitem_pe_aafter_qname_rremaining_available ON public.queueitem USING btree (processing_expires, available_after, queue_name, retries_remaining, available);

--
-- Name: queueitem_pexpires_aafter_rremaining_available; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX queueitem_pexpires_aafter_rremaining_available ON public.queueitem USING btree (processing_expires, available_after, retries_remaining, available);

--
-- Name: queueitem_processing_expires_available; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX queueitem_processing_expires_available ON public.queueitem USING btree (processing_expires, available);

--
-- Name: queueitem_processing_expires_queue_name_available; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX queueitem_processing_expires_queue_name_available ON public.queueitem USING btree (processing_expires, queue_name, available);

--
-- Name: queueitem_queue_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX queueitem_queue_name ON public.queueitem USING btree (queue_name);

--
-- Name: queueitem_state_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX queueitem_state_id ON public.queueitem USING btree (state_id);

--
-- Name: quotalimits_quota_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quotalimits_quota_id ON public.quotalimits USING btree (quota_id);

--
-- Name: quotanamespacesize_backfill_start_ms; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quotanamespacesize_backfill_start_ms ON public.quotanamespacesize USING btree (backfill_start_ms);

--
-- Name: quotanamespacesize_namespace_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX quotanamespacesize_namespace_user_id ON public.quotanamespacesize USING btree (namespace_user_id);

--
-- Name: quotanamespacesize_size_bytes; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quotanamespacesize_size_bytes ON public.quotanamespacesize USING btree (size_bytes);

--
-- Name: quotanotificationstate_namespace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quotanotificationstate_namespace_id ON public.quotanotificationstate USING btree (namespace_id);

--
-- Name: quotanotificationstate_namespace_threshold; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX quotanotificationstate_namespace_threshold ON public.quotanotificationstate USING btree (namespace_id, threshold_percent);

--
-- Name: quotarepositorysize_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX quotarepositorysize_repository_id ON public.quotarepositorysize USING btree (repository_id);

--
-- Name: quotarepositorysize_size_bytes; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX quotarepositorysize_size_bytes ON public.quotarepositorysize USING btree (size_bytes);

--
-- Name: repomirrorconfig_internal_robot_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorconfig_internal_robot_id ON public.repomirrorconfig USING btree (internal_robot_id);

--
-- Name: repomirrorconfig_mirror_type; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorconfig_mirror_type ON public.repomirrorconfig USING btree (mirror_type);

--
-- Name: repomirrorconfig_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repomirrorconfig_repository_id ON public.repomirrorconfig USING btree (repository_id);

--
-- Name: repomirrorconfig_root_rule_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorconfig_root_rule_id ON public.repomirrorconfig USING btree (root_rule_id);

--
-- Name: repomirrorconfig_sync_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorconfig_sync_status ON public.repomirrorconfig USING btree (sync_status);

--
-- Name: repomirrorconfig_sync_transaction_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorconfig_sync_transaction_id ON public.repomirrorconfig USING btree (sync_transaction_id);

--
-- Name: repomirrorrule_left_child_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorrule_left_child_id ON public.repomirrorrule USING btree (left_child_id);

--
-- Name: repomirrorrule_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorrule_repository_id ON public.repomirrorrule USING btree (repository_id);

--
-- Name: repomirrorrule_right_child_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorrule_right_child_id ON public.repomirrorrule USING btree (right_child_id);

--
-- Name: repomirrorrule_rule_type; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repomirrorrule_rule_type ON public.repomirrorrule USING btree (rule_type);

--
-- Name: repomirrorrule_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repomirrorrule_uuid ON public.repomirrorrule USING btree (uuid);

--
-- Name: repository_description__fulltext; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repository_description__fulltext ON public.repository USING gin (description public.gin_trgm_ops);

--
-- Name: repository_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repository_kind_id ON public.repository USING btree (kind_id);

--
-- Name: repository_name__fulltext; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repository_name__fulltext ON public.repository USING gin (name public.gin_trgm_ops);

--
-- Name: repository_namespace_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repository_namespace_user_id ON public.repository USING btree (namespace_user_id);

--
-- Name: repository_namespace_user_id_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repository_namespace_user_id_name ON public.repository USING btree (namespace_user_id, name);

--
-- Name: repository_state; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repository_state ON public.repository USING btree (state);

--
-- Name: repository_visibility_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repository_visibility_id ON public.repository USING btree (visibility_id);

--
-- Name: repositoryactioncount_date; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositoryactioncount_date ON public.repositoryactioncount USING btree (date);

--
-- Name: repositoryactioncount_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositoryactioncount_repository_id ON public.repositoryactioncount USING btree (repository_id);

--
-- Name: repositoryactioncount_repository_id_date; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositoryactioncount_repository_id_date ON public.repositoryactioncount USING btree (repository_id, date);

--
-- Name: repositoryauthorizedemail_code; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositoryauthorizedemail_code ON public.repositoryauthorizedemail USING btree (code);

--
-- Name: repositoryauthorizedemail_email_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositoryauthorizedemail_email_repository_id ON public.repositoryauthorizedemail USING btree (email, repository_id);

--
-- Name: repositoryauthorizedemail_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositoryauthorizedemail_repository_id ON public.repositoryauthorizedemail USING btree (repository_id);

--
-- Name: repositoryautoprunepolicy_namespace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositoryautoprunepolicy_namespace_id ON public.repositoryautoprunepolicy USING btree (namespace_id);

--
-- Name: repositoryautoprunepolicy_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositoryautoprunepolicy_repository_id ON public.repositoryautoprunepolicy USING btree (repository_id);

--
-- Name: repositoryautoprunepolicy_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositoryautoprunepolicy_uuid ON public.repositoryautoprunepolicy USING btree (uuid);

--
-- Name: repositorybuild_access_token_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_access_token_id ON public.repositorybuild USING btree (access_token_id);

--
-- Name: repositorybuild_logs_archived; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_logs_archived ON public.repositorybuild USING btree (logs_archived);

--
-- Name: repositorybuild_pull_robot_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_pull_robot_id ON public.repositorybuild USING btree (pull_robot_id);

--
-- Name: repositorybuild_queue_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_queue_id ON public.repositorybuild USING btree (queue_id);

--
-- Name: repositorybuild_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_repository_id ON public.repositorybuild USING btree (repository_id);

--
-- Name: repositorybuild_repository_id_started_phase; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_repository_id_started_phase ON public.repositorybuild USING btree (repository_id, started, phase);

--
-- Name: repositorybuild_resource_key; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_resource_key ON public.repositorybuild USING btree (resource_key);

--
-- Name: repositorybuild_started; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_started ON public.repositorybuild USING btree (started);

--
-- Name: repositorybuild_started_logs_archived_phase; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_started_logs_archived_phase ON public.repositorybuild USING btree (started, logs_archived, phase);

--
-- Name: repositorybuild_trigger_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_trigger_id ON public.repositorybuild USING btree (trigger_id);

--
-- Name: repositorybuild_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuild_uuid ON public.repositorybuild USING btree (uuid);

--
-- Name: repositorybuildtrigger_connected_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuildtrigger_connected_user_id ON public.repositorybuildtrigger USING btree (connected_user_id);

--
-- Name: repositorybuildtrigger_disabled_datetime; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuildtrigger_disabled_datetime ON public.repositorybuildtrigger USING btree (disabled_datetime);

--
-- Name: repositorybuildtrigger_disabled_reason_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuildtrigger_disabled_reason_id ON public.repositorybuildtrigger USING btree (disabled_reason_id);

--
-- Name: repositorybuildtrigger_pull_robot_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuildtrigger_pull_robot_id ON public.repositorybuildtrigger USING btree (pull_robot_id);

--
-- Name: repositorybuildtrigger_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuildtrigger_repository_id ON public.repositorybuildtrigger USING btree (repository_id);

--
-- Name: repositorybuildtrigger_service_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuildtrigger_service_id ON public.repositorybuildtrigger USING btree (service_id);

--
-- Name: repositorybuildtrigger_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuildtrigger_uuid ON public.repositorybuildtrigger USING btree (uuid);

--
-- Name: repositorybuildtrigger_write_token_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorybuildtrigger_write_token_id ON public.repositorybuildtrigger USING btree (write_token_id);

--
-- Name: repositoryimmutabilitypolicy_namespace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositoryimmutabilitypolicy_namespace_id ON public.repositoryimmutabilitypolicy USING btree (namespace_id);

--
-- Name: repositoryimmutabilitypolicy_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositoryimmutabilitypolicy_repository_id ON public.repositoryimmutabilitypolicy USING btree (repository_id);

--
-- Name: repositoryimmutabilitypolicy_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositoryimmutabilitypolicy_uuid ON public.repositoryimmutabilitypolicy USING btree (uuid);

--
-- Name: repositorykind_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositorykind_name ON public.repositorykind USING btree (name);

--
-- Name: repositorynotification_event_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorynotification_event_id ON public.repositorynotification USING btree (event_id);

--
-- Name: repositorynotification_last_ran_ms; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorynotification_last_ran_ms ON public.repositorynotification USING btree (last_ran_ms);

--
-- Name: repositorynotification_method_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorynotification_method_id ON public.repositorynotification USING btree (method_id);

--
-- Name: repositorynotification_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorynotification_repository_id ON public.repositorynotification USING btree (repository_id);

--
-- Name: repositorynotification_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorynotification_uuid ON public.repositorynotification USING btree (uuid);

--
-- Name: repositorypermission_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorypermission_repository_id ON public.repositorypermission USING btree (repository_id);

--
-- Name: repositorypermission_role_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorypermission_role_id ON public.repositorypermission USING btree (role_id);

--
-- Name: repositorypermission_team_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorypermission_team_id ON public.repositorypermission USING btree (team_id);

--
-- Name: repositorypermission_team_id_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositorypermission_team_id_repository_id ON public.repositorypermission USING btree (team_id, repository_id);

--
-- Name: repositorypermission_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorypermission_user_id ON public.repositorypermission USING btree (user_id);

--
-- Name: repositorypermission_user_id_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositorypermission_user_id_repository_id ON public.repositorypermission USING btree (user_id, repository_id);

--
-- Name: repositorysearchscore_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX repositorysearchscore_repository_id ON public.repositorysearchscore USING btree (repository_id);

--
-- Name: repositorysearchscore_score; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX repositorysearchscore_score ON public.repositorysearchscore USING btree (score);

--
-- Name: robotaccountmetadata_robot_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX robotaccountmetadata_robot_account_id ON public.robotaccountmetadata USING btree (robot_account_id);

--
-- Name: robotaccounttoken_robot_account_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX robotaccounttoken_robot_account_id ON public.robotaccounttoken USING btree (robot_account_id);

--
-- Name: role_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX role_name ON public.role USING btree (name);

--
-- Name: servicekey_approval_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX servicekey_approval_id ON public.servicekey USING btree (approval_id);

--
-- Name: servicekey_kid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX servicekey_kid ON public.servicekey USING btree (kid);

--
-- Name: servicekey_service; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX servicekey_service ON public.servicekey USING btree (service);

--
-- Name: servicekeyapproval_approval_type; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX servicekeyapproval_approval_type ON public.servicekeyapproval USING btree (approval_type);

--
-- Name: servicekeyapproval_approver_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX servicekeyapproval_approver_id ON public.servicekeyapproval USING btree (approver_id);

--
-- Name: star_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX star_repository_id ON public.star USING btree (repository_id);

--
-- Name: star_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX star_user_id ON public.star USING btree (user_id);

--
-- Name: star_user_id_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX star_user_id_repository_id ON public.star USING btree (user_id, repository_id);

--
-- Name: tag_lifetime_end_ms; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_lifetime_end_ms ON public.tag USING btree (lifetime_end_ms);

--
-- Name: tag_linked_tag_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_linked_tag_id ON public.tag USING btree (linked_tag_id);

--
-- Name: tag_manifest_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_manifest_id ON public.tag USING btree (manifest_id);

--
-- Name: tag_manifest_id_immutable; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_manifest_id_immutable ON public.tag USING btree (manifest_id, immutable);

--
-- Name: tag_manifest_id_lifetime_end_ms; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_manifest_id_lifetime_end_ms ON public.tag USING btree (manifest_id, lifetime_end_ms);

--
-- Name: tag_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_repository_id ON public.tag USING btree (repository_id);

--
-- Name: tag_repository_id_immutable; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_repository_id_immutable ON public.tag USING btree (repository_id, immutable);

--
-- Name: tag_repository_id_lifetime_end_ms; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_repository_id_lifetime_end_ms ON public.tag USING btree (repository_id, lifetime_end_ms);

--
-- Name: tag_repository_id_lifetime_start_ms; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_repository_id_lifetime_start_ms ON public.tag USING btree (repository_id, lifetime_start_ms);

--
-- Name: tag_repository_id_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_repository_id_name ON public.tag USING btree (repository_id, name);

--
-- Name: tag_repository_id_name_hidden; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_repository_id_name_hidden ON public.tag USING btree (repository_id, name, hidden);

--
-- Name: tag_repository_id_name_lifetime_end_ms; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX tag_repository_id_name_lifetime_end_ms ON public.tag USING btree (repository_id, name, lifetime_end_ms);

--
-- Name: tag_repository_id_name_tag_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_repository_id_name_tag_kind_id ON public.tag USING btree (repository_id, name, tag_kind_id);

--
-- Name: tag_tag_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tag_tag_kind_id ON public.tag USING btree (tag_kind_id);

--
-- Name: tagkind_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX tagkind_name ON public.tagkind USING btree (name);

--
-- Name: tagnotificationsuccess_notification_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tagnotificationsuccess_notification_id ON public.tagnotificationsuccess USING btree (notification_id);

--
-- Name: tagnotificationsuccess_tag_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tagnotificationsuccess_tag_id ON public.tagnotificationsuccess USING btree (tag_id);

--
-- Name: tagpullstatistics_repository_id_tag_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX tagpullstatistics_repository_id_tag_name ON public.tagpullstatistics USING btree (repository_id, tag_name);

--
-- Name: team_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX team_name ON public.team USING btree (name);

--
-- Name: team_name_organization_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX team_name_organization_id ON public.team USING btree (name, organization_id);

--
-- Name: team_organization_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX team_organization_id ON public.team USING btree (organization_id);

--
-- Name: team_role_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX team_role_id ON public.team USING btree (role_id);

--
-- Name: teammember_team_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX teammember_team_id ON public.teammember USING btree (team_id);

--
-- Name: teammember_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX teammember_user_id ON public.teammember USING btree (user_id);

--
-- Name: teammember_user_id_team_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX teammember_user_id_team_id ON public.teammember USING btree (user_id, team_id);

--
-- Name: teammemberinvite_inviter_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX teammemberinvite_inviter_id ON public.teammemberinvite USING btree (inviter_id);

--
-- Name: teammemberinvite_team_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX teammemberinvite_team_id ON public.teammemberinvite USING btree (team_id);

--
-- Name: teammemberinvite_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX teammemberinvite_user_id ON public.teammemberinvite USING btree (user_id);

--
-- Name: teamrole_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX teamrole_name ON public.teamrole USING btree (name);

--
-- Name: teamsync_last_updated; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX teamsync_last_updated ON public.teamsync USING btree (last_updated);

--
-- Name: teamsync_service_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX teamsync_service_id ON public.teamsync USING btree (service_id);

--
-- Name: teamsync_team_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX teamsync_team_id ON public.teamsync USING btree (team_id);

--
-- Name: uploadedblob_blob_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX uploadedblob_blob_id ON public.uploadedblob USING btree (blob_id);

--
-- Name: uploadedblob_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX uploadedblob_expires_at ON public.uploadedblob USING btree (expires_at);

--
-- Name: uploadedblob_repository_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX uploadedblob_repository_id ON public.uploadedblob USING btree (repository_id);

--
-- Name: user_email_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_email_idx ON public."user" USING btree (email);

--
-- Name: user_email_unique_non_org; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX user_email_unique_non_org ON public."user" USING btree (email) WHERE (organization = false);

--
-- Name: user_invoice_email_address; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_invoice_email_address ON public."user" USING btree (invoice_email_address);

--
-- Name: user_last_accessed; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_last_accessed ON public."user" USING btree (last_accessed);

--
-- Name: user_organization; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_organization ON public."user" USING btree (organization);

--
-- Name: user_robot; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_robot ON public."user" USING btree (robot);

--
-- Name: user_stripe_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_stripe_id ON public."user" USING btree (stripe_id);

--
-- Name: user_username; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX user_username ON public."user" USING btree (username);

--
-- Name: user_uuid; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_uuid ON public."user" USING btree (uuid);

--
-- Name: userorganizationquota_organization; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX userorganizationquota_organization ON public.userorganizationquota USING btree (namespace_id);

--
-- Name: userprompt_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX userprompt_kind_id ON public.userprompt USING btree (kind_id);

--
-- Name: userprompt_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX userprompt_user_id ON public.userprompt USING btree (user_id);

--
-- Name: userprompt_user_id_kind_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX userprompt_user_id_kind_id ON public.userprompt USING btree (user_id, kind_id);

--
-- Name: userpromptkind_name; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX userpromptkind_name ON public.userpromptkind USING btree (name);

--
-- Name: userregion_location_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX userregion_location_id ON public.userregion USING btree (location_id);

--
-- Name: userregion_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX userregion_user_id ON public.userregion USING btree (user_id);

--
-- Name: visibility_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX visibility_name ON public.visibility USING btree (name);

--
-- Name: accesstoken fk_accesstoken_kind_id_accesstokenkind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesstoken
    ADD CONSTRAINT fk_accesstoken_kind_id_accesstokenkind FOREIGN KEY (kind_id) REFERENCES public.accesstokenkind(id);

--
-- Name: accesstoken fk_accesstoken_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesstoken
    ADD CONSTRAINT fk_accesstoken_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: accesstoken fk_accesstoken_role_id_role; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accesstoken
    ADD CONSTRAINT fk_accesstoken_role_id_role FOREIGN KEY (role_id) REFERENCES public.role(id);

--
-- Name: apprblob fk_apprblob_media_type_id_mediatype; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblob
    ADD CONSTRAINT fk_apprblob_media_type_id_mediatype FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

--
-- Name: apprblobplacement fk_apprblobplacement_blob_id_apprblob; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblobplacement
    ADD CONSTRAINT fk_apprblobplacement_blob_id_apprblob FOREIGN KEY (blob_id) REFERENCES public.apprblob(id);

--
-- Name: apprblobplacement fk_apprblobplacement_location_id_apprblobplacementlocation; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprblobplacement
    ADD CONSTRAINT fk_apprblobplacement_location_id_apprblobplacementlocation FOREIGN KEY (location_id) REFERENCES public.apprblobplacementlocation(id);

--
-- Name: apprmanifest fk_apprmanifest_media_type_id_mediatype; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifest
    ADD CONSTRAINT fk_apprmanifest_media_type_id_mediatype FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

--
-- Name: apprmanifestblob fk_apprmanifestblob_blob_id_apprblob; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestblob
    ADD CONSTRAINT fk_apprmanifestblob_blob_id_apprblob FOREIGN KEY (blob_id) REFERENCES public.apprblob(id);

--
-- Name: apprmanifestblob fk_apprmanifestblob_manifest_id_apprmanifest; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestblob
    ADD CONSTRAINT fk_apprmanifestblob_manifest_id_apprmanifest FOREIGN KEY (manifest_id) REFERENCES public.apprmanifest(id);

--
-- Name: apprmanifestlist fk_apprmanifestlist_media_type_id_mediatype; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestlist
    ADD CONSTRAINT fk_apprmanifestlist_media_type_id_mediatype FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

--
-- Name: apprmanifestlistmanifest fk_apprmanifestlistmanifest_manifest_id_apprmanifest; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestlistmanifest
    ADD CONSTRAINT fk_apprmanifestlistmanifest_manifest_id_apprmanifest FOREIGN KEY (manifest_id) REFERENCES public.apprmanifest(id);

--
-- Name: apprmanifestlistmanifest fk_apprmanifestlistmanifest_manifest_list_id_apprmanifestlist; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestlistmanifest
    ADD CONSTRAINT fk_apprmanifestlistmanifest_manifest_list_id_apprmanifestlist FOREIGN KEY (manifest_list_id) REFERENCES public.apprmanifestlist(id);

--
-- Name: apprmanifestlistmanifest fk_apprmanifestlistmanifest_media_type_id_mediatype; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprmanifestlistmanifest
    ADD CONSTRAINT fk_apprmanifestlistmanifest_media_type_id_mediatype FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

--
-- Name: apprtag fk_apprtag_linked_tag_id_apprtag; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprtag
    ADD CONSTRAINT fk_apprtag_linked_tag_id_apprtag FOREIGN KEY (linked_tag_id) REFERENCES public.apprtag(id);

--
-- Name: apprtag fk_apprtag_manifest_list_id_apprmanifestlist; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprtag
    ADD CONSTRAINT fk_apprtag_manifest_list_id_apprmanifestlist FOREIGN KEY (manifest_list_id) REFERENCES public.apprmanifestlist(id);

--
-- Name: apprtag fk_apprtag_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprtag
    ADD CONSTRAINT fk_apprtag_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: apprtag fk_apprtag_tag_kind_id_apprtagkind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.apprtag
    ADD CONSTRAINT fk_apprtag_tag_kind_id_apprtagkind FOREIGN KEY (tag_kind_id) REFERENCES public.apprtagkind(id);

--
-- Name: appspecificauthtoken fk_appspecificauthtoken_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.appspecificauthtoken
    ADD CONSTRAINT fk_appspecificauthtoken_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: autoprunetaskstatus fk_autoprunetaskstatus_namespace_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.autoprunetaskstatus
    ADD CONSTRAINT fk_autoprunetaskstatus_namespace_id_user FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: blobupload fk_blobupload_location_id_imagestoragelocation; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.blobupload
    ADD CONSTRAINT fk_blobupload_location_id_imagestoragelocation FOREIGN KEY (location_id) REFERENCES public.imagestoragelocation(id);

--
-- Name: blobupload fk_blobupload_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.blobupload
    ADD CONSTRAINT fk_blobupload_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: deletednamespace fk_deletednamespace_namespace_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deletednamespace
    ADD CONSTRAINT fk_deletednamespace_namespace_id_user FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: deletedrepository fk_deletedrepository_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deletedrepository
    ADD CONSTRAINT fk_deletedrepository_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: emailconfirmation fk_emailconfirmation_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.emailconfirmation
    ADD CONSTRAINT fk_emailconfirmation_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: federatedlogin fk_federatedlogin_service_id_loginservice; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.federatedlogin
    ADD CONSTRAINT fk_federatedlogin_service_id_loginservice FOREIGN KEY (service_id) REFERENCES public.loginservice(id);

--
-- Name: federatedlogin fk_federatedlogin_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.federatedlogin
    ADD CONSTRAINT fk_federatedlogin_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: imagestorageplacement fk_imagestorageplacement_location_id_imagestoragelocation; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestorageplacement
    ADD CONSTRAINT fk_imagestorageplacement_location_id_imagestoragelocation FOREIGN KEY (location_id) REFERENCES public.imagestoragelocation(id);

--
-- Name: imagestorageplacement fk_imagestorageplacement_storage_id_imagestorage; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestorageplacement
    ADD CONSTRAINT fk_imagestorageplacement_storage_id_imagestorage FOREIGN KEY (storage_id) REFERENCES public.imagestorage(id);

--
-- Name: imagestoragesignature fk_imagestoragesignature_kind_id_imagestoragesignaturekind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragesignature
    ADD CONSTRAINT fk_imagestoragesignature_kind_id_imagestoragesignaturekind FOREIGN KEY (kind_id) REFERENCES public.imagestoragesignaturekind(id);

--
-- Name: imagestoragesignature fk_imagestoragesignature_storage_id_imagestorage; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.imagestoragesignature
    ADD CONSTRAINT fk_imagestoragesignature_storage_id_imagestorage FOREIGN KEY (storage_id) REFERENCES public.imagestorage(id);

--
-- Name: label fk_label_media_type_id_mediatype; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.label
    ADD CONSTRAINT fk_label_media_type_id_mediatype FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

--
-- Name: label fk_label_source_type_id_labelsourcetype; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.label
    ADD CONSTRAINT fk_label_source_type_id_labelsourcetype FOREIGN KEY (source_type_id) REFERENCES public.labelsourcetype(id);

--
-- Name: logentry2 fk_logentry2_kind_id_logentrykind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentry2
    ADD CONSTRAINT fk_logentry2_kind_id_logentrykind FOREIGN KEY (kind_id) REFERENCES public.logentrykind(id);

--
-- Name: logentry fk_logentry_kind_id_logentrykind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.logentry
    ADD CONSTRAINT fk_logentry_kind_id_logentrykind FOREIGN KEY (kind_id) REFERENCES public.logentrykind(id);

--
-- Name: manifest fk_manifest_media_type_id_mediatype; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifest
    ADD CONSTRAINT fk_manifest_media_type_id_mediatype FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

--
-- Name: manifest fk_manifest_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifest
    ADD CONSTRAINT fk_manifest_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: manifestblob fk_manifestblob_blob_id_imagestorage; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestblob
    ADD CONSTRAINT fk_manifestblob_blob_id_imagestorage FOREIGN KEY (blob_id) REFERENCES public.imagestorage(id);

--
-- Name: manifestblob fk_manifestblob_manifest_id_manifest; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestblob
    ADD CONSTRAINT fk_manifestblob_manifest_id_manifest FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

--
-- Name: manifestblob fk_manifestblob_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestblob
    ADD CONSTRAINT fk_manifestblob_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: manifestchild fk_manifestchild_child_manifest_id_manifest; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestchild
    ADD CONSTRAINT fk_manifestchild_child_manifest_id_manifest FOREIGN KEY (child_manifest_id) REFERENCES public.manifest(id);

--
-- Name: manifestchild fk_manifestchild_manifest_id_manifest; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestchild
    ADD CONSTRAINT fk_manifestchild_manifest_id_manifest FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

--
-- Name: manifestchild fk_manifestchild_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestchild
    ADD CONSTRAINT fk_manifestchild_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: manifestlabel fk_manifestlabel_label_id_label; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestlabel
    ADD CONSTRAINT fk_manifestlabel_label_id_label FOREIGN KEY (label_id) REFERENCES public.label(id);

--
-- Name: manifestlabel fk_manifestlabel_manifest_id_manifest; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestlabel
    ADD CONSTRAINT fk_manifestlabel_manifest_id_manifest FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

--
-- Name: manifestlabel fk_manifestlabel_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestlabel
    ADD CONSTRAINT fk_manifestlabel_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: manifestpullstatistics fk_manifestpullstatistics_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestpullstatistics
    ADD CONSTRAINT fk_manifestpullstatistics_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: manifestsecuritystatus fk_manifestsecuritystatus_manifest_id_manifest; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestsecuritystatus
    ADD CONSTRAINT fk_manifestsecuritystatus_manifest_id_manifest FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

--
-- Name: manifestsecuritystatus fk_manifestsecuritystatus_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.manifestsecuritystatus
    ADD CONSTRAINT fk_manifestsecuritystatus_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: messages fk_messages_media_type_id_mediatype; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT fk_messages_media_type_id_mediatype FOREIGN KEY (media_type_id) REFERENCES public.mediatype(id);

--
-- Name: namespaceautoprunepolicy fk_namespaceautoprunepolicy_namespace_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespaceautoprunepolicy
    ADD CONSTRAINT fk_namespaceautoprunepolicy_namespace_id_user FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: namespaceimmutabilitypolicy fk_namespaceimmutabilitypolicy_namespace_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespaceimmutabilitypolicy
    ADD CONSTRAINT fk_namespaceimmutabilitypolicy_namespace_id_user FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: namespacenotification fk_namespacenotification_event_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespacenotification
    ADD CONSTRAINT fk_namespacenotification_event_id FOREIGN KEY (event_id) REFERENCES public.externalnotificationevent(id);

--
-- Name: namespacenotification fk_namespacenotification_method_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespacenotification
    ADD CONSTRAINT fk_namespacenotification_method_id FOREIGN KEY (method_id) REFERENCES public.externalnotificationmethod(id);

--
-- Name: namespacenotification fk_namespacenotification_namespace_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.namespacenotification
    ADD CONSTRAINT fk_namespacenotification_namespace_id FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: notification fk_notification_kind_id_notificationkind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification
    ADD CONSTRAINT fk_notification_kind_id_notificationkind FOREIGN KEY (kind_id) REFERENCES public.notificationkind(id);

--
-- Name: notification fk_notification_target_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification
    ADD CONSTRAINT fk_notification_target_id_user FOREIGN KEY (target_id) REFERENCES public."user"(id);

--
-- Name: oauthaccesstoken fk_oauthaccesstoken_application_id_oauthapplication; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthaccesstoken
    ADD CONSTRAINT fk_oauthaccesstoken_application_id_oauthapplication FOREIGN KEY (application_id) REFERENCES public.oauthapplication(id);

--
-- Name: oauthaccesstoken fk_oauthaccesstoken_authorized_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthaccesstoken
    ADD CONSTRAINT fk_oauthaccesstoken_authorized_user_id_user FOREIGN KEY (authorized_user_id) REFERENCES public."user"(id);

--
-- Name: oauthapplication fk_oauthapplication_organization_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthapplication
    ADD CONSTRAINT fk_oauthapplication_organization_id_user FOREIGN KEY (organization_id) REFERENCES public."user"(id);

--
-- Name: oauthassignedtoken fk_oauthassignedtoken_application_oauthapplication; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthassignedtoken
    ADD CONSTRAINT fk_oauthassignedtoken_application_oauthapplication FOREIGN KEY (application_id) REFERENCES public.oauthapplication(id);

--
-- Name: oauthassignedtoken fk_oauthassignedtoken_assigned_user_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthassignedtoken
    ADD CONSTRAINT fk_oauthassignedtoken_assigned_user_user FOREIGN KEY (assigned_user_id) REFERENCES public."user"(id);

--
-- Name: oauthauthorizationcode fk_oauthauthorizationcode_application_id_oauthapplication; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauthauthorizationcode
    ADD CONSTRAINT fk_oauthauthorizationcode_application_id_oauthapplication FOREIGN KEY (application_id) REFERENCES public.oauthapplication(id);

--
-- Name: organizationcontactemail fk_organizationcontactemail_organization_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationcontactemail
    ADD CONSTRAINT fk_organizationcontactemail_organization_id_user FOREIGN KEY (organization_id) REFERENCES public."user"(id);

--
-- Name: organizationrhskus fk_organizationrhskus_orgid; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationrhskus
    ADD CONSTRAINT fk_organizationrhskus_orgid FOREIGN KEY (org_id) REFERENCES public."user"(id);

--
-- Name: organizationrhskus fk_organizationrhskus_userid; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.organizationrhskus
    ADD CONSTRAINT fk_organizationrhskus_userid FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: orgmirrorconfig fk_orgmirrorconfig_internal_robot_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorconfig
    ADD CONSTRAINT fk_orgmirrorconfig_internal_robot_id_user FOREIGN KEY (internal_robot_id) REFERENCES public."user"(id);

--
-- Name: orgmirrorconfig fk_orgmirrorconfig_organization_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorconfig
    ADD CONSTRAINT fk_orgmirrorconfig_organization_id_user FOREIGN KEY (organization_id) REFERENCES public."user"(id);

--
-- Name: orgmirrorconfig fk_orgmirrorconfig_visibility_id_visibility; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorconfig
    ADD CONSTRAINT fk_orgmirrorconfig_visibility_id_visibility FOREIGN KEY (visibility_id) REFERENCES public.visibility(id);

--
-- Name: orgmirrorrepository fk_orgmirrorrepository_org_mirror_config_id_orgmirrorconfig; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorrepository
    ADD CONSTRAINT fk_orgmirrorrepository_org_mirror_config_id_orgmirrorconfig FOREIGN KEY (org_mirror_config_id) REFERENCES public.orgmirrorconfig(id);

--
-- Name: orgmirrorrepository fk_orgmirrorrepository_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orgmirrorrepository
    ADD CONSTRAINT fk_orgmirrorrepository_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: permissionprototype fk_permissionprototype_activating_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.permissionprototype
    ADD CONSTRAINT fk_permissionprototype_activating_user_id_user FOREIGN KEY (activating_user_id) REFERENCES public."user"(id);

--
-- Name: permissionprototype fk_permissionprototype_delegate_team_id_team; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.permissionprototype
    ADD CONSTRAINT fk_permissionprototype_delegate_team_id_team FOREIGN KEY (delegate_team_id) REFERENCES public.team(id);

--
-- Name: permissionprototype fk_permissionprototype_delegate_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.permissionprototype
    ADD CONSTRAINT fk_permissionprototype_delegate_user_id_user FOREIGN KEY (delegate_user_id) REFERENCES public."user"(id);

--
-- Name: permissionprototype fk_permissionprototype_org_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.permissionprototype
    ADD CONSTRAINT fk_permissionprototype_org_id_user FOREIGN KEY (org_id) REFERENCES public."user"(id);

--
-- Name: permissionprototype fk_permissionprototype_role_id_role; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.permissionprototype
    ADD CONSTRAINT fk_permissionprototype_role_id_role FOREIGN KEY (role_id) REFERENCES public.role(id);

--
-- Name: proxycacheconfig fk_proxy_cache_config_organization_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.proxycacheconfig
    ADD CONSTRAINT fk_proxy_cache_config_organization_id FOREIGN KEY (organization_id) REFERENCES public."user"(id);

--
-- Name: quayrelease fk_quayrelease_region_id_quayregion; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quayrelease
    ADD CONSTRAINT fk_quayrelease_region_id_quayregion FOREIGN KEY (region_id) REFERENCES public.quayregion(id);

--
-- Name: quayrelease fk_quayrelease_service_id_quayservice; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quayrelease
    ADD CONSTRAINT fk_quayrelease_service_id_quayservice FOREIGN KEY (service_id) REFERENCES public.quayservice(id);

--
-- Name: quotalimits fk_quotalimit_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotalimits
    ADD CONSTRAINT fk_quotalimit_id FOREIGN KEY (quota_id) REFERENCES public.userorganizationquota(id);

--
-- Name: quotalimits fk_quotalimit_type; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotalimits
    ADD CONSTRAINT fk_quotalimit_type FOREIGN KEY (quota_type_id) REFERENCES public.quotatype(id);

--
-- Name: quotanamespacesize fk_quotanamespacesize_namespace_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotanamespacesize
    ADD CONSTRAINT fk_quotanamespacesize_namespace_user_id_user FOREIGN KEY (namespace_user_id) REFERENCES public."user"(id);

--
-- Name: quotanotificationstate fk_quotanotificationstate_namespace_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotanotificationstate
    ADD CONSTRAINT fk_quotanotificationstate_namespace_id FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: quotarepositorysize fk_quotarepositorysize_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotarepositorysize
    ADD CONSTRAINT fk_quotarepositorysize_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: redhatsubscriptions fk_redhatsubscriptions; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.redhatsubscriptions
    ADD CONSTRAINT fk_redhatsubscriptions FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: repomirrorconfig fk_repomirrorconfig_internal_robot_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorconfig
    ADD CONSTRAINT fk_repomirrorconfig_internal_robot_id_user FOREIGN KEY (internal_robot_id) REFERENCES public."user"(id);

--
-- Name: repomirrorconfig fk_repomirrorconfig_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorconfig
    ADD CONSTRAINT fk_repomirrorconfig_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repomirrorconfig fk_repomirrorconfig_root_rule_id_repomirrorrule; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorconfig
    ADD CONSTRAINT fk_repomirrorconfig_root_rule_id_repomirrorrule FOREIGN KEY (root_rule_id) REFERENCES public.repomirrorrule(id);

--
-- Name: repomirrorrule fk_repomirrorrule_left_child_id_repomirrorrule; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorrule
    ADD CONSTRAINT fk_repomirrorrule_left_child_id_repomirrorrule FOREIGN KEY (left_child_id) REFERENCES public.repomirrorrule(id);

--
-- Name: repomirrorrule fk_repomirrorrule_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorrule
    ADD CONSTRAINT fk_repomirrorrule_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repomirrorrule fk_repomirrorrule_right_child_id_repomirrorrule; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repomirrorrule
    ADD CONSTRAINT fk_repomirrorrule_right_child_id_repomirrorrule FOREIGN KEY (right_child_id) REFERENCES public.repomirrorrule(id);

--
-- Name: repository fk_repository_kind_id_repositorykind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repository
    ADD CONSTRAINT fk_repository_kind_id_repositorykind FOREIGN KEY (kind_id) REFERENCES public.repositorykind(id);

--
-- Name: repository fk_repository_namespace_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repository
    ADD CONSTRAINT fk_repository_namespace_user_id_user FOREIGN KEY (namespace_user_id) REFERENCES public."user"(id);

--
-- Name: repository fk_repository_visibility_id_visibility; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repository
    ADD CONSTRAINT fk_repository_visibility_id_visibility FOREIGN KEY (visibility_id) REFERENCES public.visibility(id);

--
-- Name: repositoryactioncount fk_repositoryactioncount_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryactioncount
    ADD CONSTRAINT fk_repositoryactioncount_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repositoryauthorizedemail fk_repositoryauthorizedemail_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryauthorizedemail
    ADD CONSTRAINT fk_repositoryauthorizedemail_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repositoryautoprunepolicy fk_repositoryautoprunepolicy_namespace_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryautoprunepolicy
    ADD CONSTRAINT fk_repositoryautoprunepolicy_namespace_id_user FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: repositoryautoprunepolicy fk_repositoryautoprunepolicy_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryautoprunepolicy
    ADD CONSTRAINT fk_repositoryautoprunepolicy_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repositorybuild fk_repositorybuild_access_token_id_accesstoken; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuild
    ADD CONSTRAINT fk_repositorybuild_access_token_id_accesstoken FOREIGN KEY (access_token_id) REFERENCES public.accesstoken(id);

--
-- Name: repositorybuild fk_repositorybuild_pull_robot_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuild
    ADD CONSTRAINT fk_repositorybuild_pull_robot_id_user FOREIGN KEY (pull_robot_id) REFERENCES public."user"(id);

--
-- Name: repositorybuild fk_repositorybuild_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuild
    ADD CONSTRAINT fk_repositorybuild_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repositorybuild fk_repositorybuild_trigger_id_repositorybuildtrigger; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuild
    ADD CONSTRAINT fk_repositorybuild_trigger_id_repositorybuildtrigger FOREIGN KEY (trigger_id) REFERENCES public.repositorybuildtrigger(id);

--
-- Name: repositorybuildtrigger fk_repositorybuildtrigger_connected_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuildtrigger
    ADD CONSTRAINT fk_repositorybuildtrigger_connected_user_id_user FOREIGN KEY (connected_user_id) REFERENCES public."user"(id);

--
-- Name: repositorybuildtrigger fk_repositorybuildtrigger_disabled_reason_id_disablereason; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuildtrigger
    ADD CONSTRAINT fk_repositorybuildtrigger_disabled_reason_id_disablereason FOREIGN KEY (disabled_reason_id) REFERENCES public.disablereason(id);

--
-- Name: repositorybuildtrigger fk_repositorybuildtrigger_pull_robot_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuildtrigger
    ADD CONSTRAINT fk_repositorybuildtrigger_pull_robot_id_user FOREIGN KEY (pull_robot_id) REFERENCES public."user"(id);

--
-- Name: repositorybuildtrigger fk_repositorybuildtrigger_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuildtrigger
    ADD CONSTRAINT fk_repositorybuildtrigger_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repositorybuildtrigger fk_repositorybuildtrigger_service_id_buildtriggerservice; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuildtrigger
    ADD CONSTRAINT fk_repositorybuildtrigger_service_id_buildtriggerservice FOREIGN KEY (service_id) REFERENCES public.buildtriggerservice(id);

--
-- Name: repositorybuildtrigger fk_repositorybuildtrigger_write_token_id_accesstoken; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorybuildtrigger
    ADD CONSTRAINT fk_repositorybuildtrigger_write_token_id_accesstoken FOREIGN KEY (write_token_id) REFERENCES public.accesstoken(id);

--
-- Name: repositoryimmutabilitypolicy fk_repositoryimmutabilitypolicy_namespace_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryimmutabilitypolicy
    ADD CONSTRAINT fk_repositoryimmutabilitypolicy_namespace_id_user FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: repositoryimmutabilitypolicy fk_repositoryimmutabilitypolicy_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositoryimmutabilitypolicy
    ADD CONSTRAINT fk_repositoryimmutabilitypolicy_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repositorynotification fk_repositorynotification_event_id_externalnotificationevent; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorynotification
    ADD CONSTRAINT fk_repositorynotification_event_id_externalnotificationevent FOREIGN KEY (event_id) REFERENCES public.externalnotificationevent(id);

--
-- Name: repositorynotification fk_repositorynotification_method_id_externalnotificationmethod; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorynotification
    ADD CONSTRAINT fk_repositorynotification_method_id_externalnotificationmethod FOREIGN KEY (method_id) REFERENCES public.externalnotificationmethod(id);

--
-- Name: repositorynotification fk_repositorynotification_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorynotification
    ADD CONSTRAINT fk_repositorynotification_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repositorypermission fk_repositorypermission_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorypermission
    ADD CONSTRAINT fk_repositorypermission_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: repositorypermission fk_repositorypermission_role_id_role; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorypermission
    ADD CONSTRAINT fk_repositorypermission_role_id_role FOREIGN KEY (role_id) REFERENCES public.role(id);

--
-- Name: repositorypermission fk_repositorypermission_team_id_team; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorypermission
    ADD CONSTRAINT fk_repositorypermission_team_id_team FOREIGN KEY (team_id) REFERENCES public.team(id);

--
-- Name: repositorypermission fk_repositorypermission_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorypermission
    ADD CONSTRAINT fk_repositorypermission_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: repositorysearchscore fk_repositorysearchscore_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.repositorysearchscore
    ADD CONSTRAINT fk_repositorysearchscore_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: robotaccountmetadata fk_robotaccountmetadata_robot_account_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.robotaccountmetadata
    ADD CONSTRAINT fk_robotaccountmetadata_robot_account_id_user FOREIGN KEY (robot_account_id) REFERENCES public."user"(id);

--
-- Name: robotaccounttoken fk_robotaccounttoken_robot_account_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.robotaccounttoken
    ADD CONSTRAINT fk_robotaccounttoken_robot_account_id_user FOREIGN KEY (robot_account_id) REFERENCES public."user"(id);

--
-- Name: servicekey fk_servicekey_approval_id_servicekeyapproval; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.servicekey
    ADD CONSTRAINT fk_servicekey_approval_id_servicekeyapproval FOREIGN KEY (approval_id) REFERENCES public.servicekeyapproval(id);

--
-- Name: star fk_star_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.star
    ADD CONSTRAINT fk_star_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: star fk_star_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.star
    ADD CONSTRAINT fk_star_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: tag fk_tag_linked_tag_id_tag; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT fk_tag_linked_tag_id_tag FOREIGN KEY (linked_tag_id) REFERENCES public.tag(id);

--
-- Name: tag fk_tag_manifest_id_manifest; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT fk_tag_manifest_id_manifest FOREIGN KEY (manifest_id) REFERENCES public.manifest(id);

--
-- Name: tagnotificationsuccess fk_tag_notification_success_method_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagnotificationsuccess
    ADD CONSTRAINT fk_tag_notification_success_method_id FOREIGN KEY (method_id) REFERENCES public.externalnotificationmethod(id);

--
-- Name: tagnotificationsuccess fk_tag_notification_success_notification_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagnotificationsuccess
    ADD CONSTRAINT fk_tag_notification_success_notification_id FOREIGN KEY (notification_id) REFERENCES public.repositorynotification(id);

--
-- Name: tagnotificationsuccess fk_tag_notification_success_tag_id; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagnotificationsuccess
    ADD CONSTRAINT fk_tag_notification_success_tag_id FOREIGN KEY (tag_id) REFERENCES public.tag(id);

--
-- Name: tag fk_tag_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT fk_tag_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: tag fk_tag_tag_kind_id_tagkind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tag
    ADD CONSTRAINT fk_tag_tag_kind_id_tagkind FOREIGN KEY (tag_kind_id) REFERENCES public.tagkind(id);

--
-- Name: tagpullstatistics fk_tagpullstatistics_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tagpullstatistics
    ADD CONSTRAINT fk_tagpullstatistics_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: team fk_team_organization_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.team
    ADD CONSTRAINT fk_team_organization_id_user FOREIGN KEY (organization_id) REFERENCES public."user"(id);

--
-- Name: team fk_team_role_id_teamrole; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.team
    ADD CONSTRAINT fk_team_role_id_teamrole FOREIGN KEY (role_id) REFERENCES public.teamrole(id);

--
-- Name: teammember fk_teammember_team_id_team; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammember
    ADD CONSTRAINT fk_teammember_team_id_team FOREIGN KEY (team_id) REFERENCES public.team(id);

--
-- Name: teammember fk_teammember_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammember
    ADD CONSTRAINT fk_teammember_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: teammemberinvite fk_teammemberinvite_inviter_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammemberinvite
    ADD CONSTRAINT fk_teammemberinvite_inviter_id_user FOREIGN KEY (inviter_id) REFERENCES public."user"(id);

--
-- Name: teammemberinvite fk_teammemberinvite_team_id_team; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammemberinvite
    ADD CONSTRAINT fk_teammemberinvite_team_id_team FOREIGN KEY (team_id) REFERENCES public.team(id);

--
-- Name: teammemberinvite fk_teammemberinvite_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teammemberinvite
    ADD CONSTRAINT fk_teammemberinvite_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: teamsync fk_teamsync_service_id_loginservice; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teamsync
    ADD CONSTRAINT fk_teamsync_service_id_loginservice FOREIGN KEY (service_id) REFERENCES public.loginservice(id);

--
-- Name: teamsync fk_teamsync_team_id_team; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.teamsync
    ADD CONSTRAINT fk_teamsync_team_id_team FOREIGN KEY (team_id) REFERENCES public.team(id);

--
-- Name: uploadedblob fk_uploadedblob_blob_id_imagestorage; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.uploadedblob
    ADD CONSTRAINT fk_uploadedblob_blob_id_imagestorage FOREIGN KEY (blob_id) REFERENCES public.imagestorage(id);

--
-- Name: uploadedblob fk_uploadedblob_repository_id_repository; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.uploadedblob
    ADD CONSTRAINT fk_uploadedblob_repository_id_repository FOREIGN KEY (repository_id) REFERENCES public.repository(id);

--
-- Name: userorganizationquota fk_userorganizationquota_organization; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userorganizationquota
    ADD CONSTRAINT fk_userorganizationquota_organization FOREIGN KEY (namespace_id) REFERENCES public."user"(id);

--
-- Name: userprompt fk_userprompt_kind_id_userpromptkind; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userprompt
    ADD CONSTRAINT fk_userprompt_kind_id_userpromptkind FOREIGN KEY (kind_id) REFERENCES public.userpromptkind(id);

--
-- Name: userprompt fk_userprompt_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userprompt
    ADD CONSTRAINT fk_userprompt_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
-- Name: userregion fk_userregion_location_id_imagestoragelocation; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userregion
    ADD CONSTRAINT fk_userregion_location_id_imagestoragelocation FOREIGN KEY (location_id) REFERENCES public.imagestoragelocation(id);

--
-- Name: userregion fk_userregion_user_id_user; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.userregion
    ADD CONSTRAINT fk_userregion_user_id_user FOREIGN KEY (user_id) REFERENCES public."user"(id);

--
--
