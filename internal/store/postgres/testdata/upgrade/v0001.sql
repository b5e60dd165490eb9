--
-- PostgreSQL database dump
--

\restrict wPzgqoua0vFoSIsKpJPH86EXhaNp9yNkcPaS5jyZq5ImQAxG26tcaLmINzXSdSn

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: admins; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.admins (
    name text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: api_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_tokens (
    id bigint NOT NULL,
    name text NOT NULL,
    token_hash text NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone
);


--
-- Name: api_tokens_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_tokens_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_tokens_id_seq OWNED BY public.api_tokens.id;


--
-- Name: app_entities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.app_entities (
    id bigint NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: app_entities_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.app_entities_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: app_entities_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.app_entities_id_seq OWNED BY public.app_entities.id;


--
-- Name: certificates; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.certificates (
    id bigint NOT NULL,
    connection text NOT NULL,
    user_id text NOT NULL,
    form text NOT NULL,
    mapping text NOT NULL,
    fingerprint text NOT NULL,
    subject text DEFAULT ''::text NOT NULL,
    issuer text DEFAULT ''::text NOT NULL,
    serial text DEFAULT ''::text NOT NULL,
    not_after timestamp with time zone NOT NULL,
    status text NOT NULL,
    written_dn text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone
);


--
-- Name: certificates_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.certificates_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: certificates_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.certificates_id_seq OWNED BY public.certificates.id;


--
-- Name: connections; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.connections (
    name text NOT NULL,
    document jsonb NOT NULL,
    sealed_password text DEFAULT ''::text NOT NULL,
    change_token text DEFAULT ''::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: leases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.leases (
    connection text NOT NULL,
    holder text NOT NULL,
    acquired_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL
);


--
-- Name: memberships; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memberships (
    user_row_id bigint NOT NULL,
    entity_id bigint NOT NULL,
    source text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: run_outcomes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.run_outcomes (
    id bigint NOT NULL,
    run_id bigint NOT NULL,
    user_row_id bigint DEFAULT 0 NOT NULL,
    external_id text NOT NULL,
    user_id text NOT NULL,
    action text NOT NULL,
    reason text DEFAULT ''::text NOT NULL,
    changes jsonb,
    warnings jsonb
);


--
-- Name: run_outcomes_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.run_outcomes_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: run_outcomes_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.run_outcomes_id_seq OWNED BY public.run_outcomes.id;


--
-- Name: runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.runs (
    id bigint NOT NULL,
    connection text NOT NULL,
    trigger text NOT NULL,
    mode text NOT NULL,
    dry_run boolean DEFAULT false NOT NULL,
    status text NOT NULL,
    error text DEFAULT ''::text NOT NULL,
    warnings jsonb DEFAULT '[]'::jsonb NOT NULL,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    duration_ms bigint DEFAULT 0 NOT NULL
);


--
-- Name: runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: runs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.runs_id_seq OWNED BY public.runs.id;


--
-- Name: schedule_state; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schedule_state (
    connection text NOT NULL,
    paused boolean DEFAULT false NOT NULL,
    last_fire timestamp with time zone,
    next_run_at timestamp with time zone,
    run_requested_at timestamp with time zone,
    run_full boolean DEFAULT false NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id_hash text NOT NULL,
    admin text NOT NULL,
    csrf_token text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id bigint NOT NULL,
    connection text DEFAULT ''::text NOT NULL,
    external_id text DEFAULT ''::text NOT NULL,
    user_id text NOT NULL,
    status text NOT NULL,
    source text NOT NULL,
    fields jsonb DEFAULT '{}'::jsonb NOT NULL,
    hash bigint DEFAULT 0 NOT NULL,
    password_hash text DEFAULT ''::text NOT NULL,
    super_user boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    deactivated_at timestamp with time zone
);


--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;


--
-- Name: api_tokens id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens ALTER COLUMN id SET DEFAULT nextval('public.api_tokens_id_seq'::regclass);


--
-- Name: app_entities id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_entities ALTER COLUMN id SET DEFAULT nextval('public.app_entities_id_seq'::regclass);


--
-- Name: certificates id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificates ALTER COLUMN id SET DEFAULT nextval('public.certificates_id_seq'::regclass);


--
-- Name: run_outcomes id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_outcomes ALTER COLUMN id SET DEFAULT nextval('public.run_outcomes_id_seq'::regclass);


--
-- Name: runs id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs ALTER COLUMN id SET DEFAULT nextval('public.runs_id_seq'::regclass);


--
-- Name: users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);


--
-- Data for Name: admins; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.admins VALUES ('admin', '$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA', '2026-12-02 07:03:36.603503+00');


--
-- Data for Name: api_tokens; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.api_tokens VALUES (1, 'ci', 'a3f1c0ffee', 'admin', '2026-12-02 07:03:36.603503+00', NULL);


--
-- Data for Name: app_entities; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.app_entities VALUES (1, 'group', 'Sales', '2026-12-02 07:03:36.603503+00');


--
-- Data for Name: certificates; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.certificates VALUES (1, 'corp', 'alice', 'issuerSerial', 'X509:<I>DC=com,DC=example,CN=CA<SR>0a0b', 'ab12', '', '', '', '2030-01-01 00:00:00+00', 'active', 'CN=alice,DC=example,DC=com', '2026-12-02 07:03:36.603503+00', '2026-12-02 07:03:36.603503+00', NULL);


--
-- Data for Name: connections; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.connections VALUES ('corp', '{"name": "corp", "port": 636, "dnsName": "ldap.example.com", "security": "ldaps", "username": "cn=reader,dc=example,dc=com", "searchPath": "ou=people,dc=example,dc=com", "systemType": "ldap", "friendlyName": "Corporate", "searchFilter": "(objectClass=inetOrgPerson)", "directoryType": "source"}', 'v1:sealed-bind-password', 'csn=20261201000000.000000Z#000000#000#000000', '2026-12-02 07:03:36.603503+00', '2026-12-02 07:03:36.603503+00');


--
-- Data for Name: leases; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.leases VALUES ('corp', 'host-1:42', '2026-12-01 00:00:00+00', '2026-12-01 00:01:00+00');


--
-- Data for Name: memberships; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.memberships VALUES (1, 1, 'manual', '2026-12-02 07:03:36.603503+00');
INSERT INTO public.memberships VALUES (1, 1, 'rule:corp', '2026-12-02 07:03:36.603503+00');


--
-- Data for Name: run_outcomes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.run_outcomes VALUES (1, 1, 1, 'uuid-alice', 'alice', 'created', '', '[{"new": "Alice Example", "old": "", "field": "displayName"}]', NULL);
INSERT INTO public.run_outcomes VALUES (2, 1, 2, 'uuid-bob', 'bob', 'created', '', NULL, NULL);
INSERT INTO public.run_outcomes VALUES (3, 2, 2, 'uuid-bob', 'bob', 'deactivated', 'gone from the directory', NULL, NULL);


--
-- Data for Name: runs; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.runs VALUES (1, 'corp', 'manual', 'full', false, 'succeeded', '', '[]', '{"created": 2, "entriesRead": 2}', '2026-12-01 00:00:00+00', '2026-12-01 00:00:01+00', 1000);
INSERT INTO public.runs VALUES (2, 'corp', 'manual', 'incremental', false, 'succeeded', '', '[]', '{"deactivated": 1, "entriesRead": 1}', '2026-12-01 01:00:00+00', '2026-12-01 01:00:00.5+00', 500);


--
-- Data for Name: schedule_state; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schedule_state VALUES ('corp', true, '2026-12-01 00:00:00+00', '2026-12-01 01:00:00+00', NULL, false);


--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_migrations VALUES (1, '0001_init.sql', '2026-12-02 07:03:36.557239+00');


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.sessions VALUES ('5e551011', 'admin', 'csrf', '2026-12-02 07:03:36.603503+00', '2099-12-01 00:00:00+00');


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.users VALUES (1, 'corp', 'uuid-alice', 'alice', 'active', 'directory', '{"email": "alice@example.com", "displayName": "Alice Example"}', -11, '', false, '2026-12-02 07:03:36.603503+00', '2026-12-02 07:03:36.603503+00', NULL);
INSERT INTO public.users VALUES (2, 'corp', 'uuid-bob', 'bob', 'inactive', 'directory', '{"displayName": "Bob Example"}', 12, '', false, '2026-12-02 07:03:36.603503+00', '2026-12-02 07:03:36.603503+00', '2026-12-01 01:00:00+00');
INSERT INTO public.users VALUES (3, '', '', 'Émile', 'active', 'local', '{"displayName": "Émile Local"}', 0, '$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA', false, '2026-12-02 07:03:36.603503+00', '2026-12-02 07:03:36.603503+00', NULL);


--
-- Name: api_tokens_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.api_tokens_id_seq', 1, true);


--
-- Name: app_entities_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.app_entities_id_seq', 1, true);


--
-- Name: certificates_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.certificates_id_seq', 1, true);


--
-- Name: run_outcomes_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.run_outcomes_id_seq', 3, true);


--
-- Name: runs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.runs_id_seq', 2, true);


--
-- Name: users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.users_id_seq', 3, true);


--
-- Name: admins admins_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.admins
    ADD CONSTRAINT admins_pkey PRIMARY KEY (name);


--
-- Name: api_tokens api_tokens_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_name_key UNIQUE (name);


--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);


--
-- Name: api_tokens api_tokens_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash);


--
-- Name: app_entities app_entities_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_entities
    ADD CONSTRAINT app_entities_pkey PRIMARY KEY (id);


--
-- Name: certificates certificates_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.certificates
    ADD CONSTRAINT certificates_pkey PRIMARY KEY (id);


--
-- Name: connections connections_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.connections
    ADD CONSTRAINT connections_pkey PRIMARY KEY (name);


--
-- Name: leases leases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.leases
    ADD CONSTRAINT leases_pkey PRIMARY KEY (connection);


--
-- Name: memberships memberships_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (user_row_id, entity_id, source);


--
-- Name: run_outcomes run_outcomes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_outcomes
    ADD CONSTRAINT run_outcomes_pkey PRIMARY KEY (id);


--
-- Name: runs runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.runs
    ADD CONSTRAINT runs_pkey PRIMARY KEY (id);


--
-- Name: schedule_state schedule_state_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schedule_state
    ADD CONSTRAINT schedule_state_pkey PRIMARY KEY (connection);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id_hash);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: app_entities_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX app_entities_name ON public.app_entities USING btree (kind, name);


--
-- Name: certificates_mapping; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX certificates_mapping ON public.certificates USING btree (connection, lower(user_id), mapping);


--
-- Name: memberships_entity; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memberships_entity ON public.memberships USING btree (entity_id);


--
-- Name: memberships_source; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX memberships_source ON public.memberships USING btree (source, user_row_id);


--
-- Name: run_outcomes_external; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX run_outcomes_external ON public.run_outcomes USING btree (external_id);


--
-- Name: run_outcomes_run; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX run_outcomes_run ON public.run_outcomes USING btree (run_id, action);


--
-- Name: run_outcomes_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX run_outcomes_user ON public.run_outcomes USING btree (lower(user_id));


--
-- Name: runs_connection; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX runs_connection ON public.runs USING btree (connection, id);


--
-- Name: runs_started; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX runs_started ON public.runs USING btree (started_at);


--
-- Name: sessions_expires; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_expires ON public.sessions USING btree (expires_at);


--
-- Name: users_link; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_link ON public.users USING btree (connection, external_id) WHERE (source = 'directory'::text);


--
-- Name: users_local_id; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_local_id ON public.users USING btree (lower(user_id)) WHERE (source = 'local'::text);


--
-- Name: users_super_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_super_user ON public.users USING btree (connection) WHERE super_user;


--
-- Name: users_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX users_user_id ON public.users USING btree (lower(user_id));


--
-- Name: memberships memberships_entity_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_entity_id_fkey FOREIGN KEY (entity_id) REFERENCES public.app_entities(id) ON DELETE CASCADE;


--
-- Name: memberships memberships_user_row_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_user_row_id_fkey FOREIGN KEY (user_row_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: run_outcomes run_outcomes_run_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.run_outcomes
    ADD CONSTRAINT run_outcomes_run_id_fkey FOREIGN KEY (run_id) REFERENCES public.runs(id) ON DELETE CASCADE;


--
-- Name: sessions sessions_admin_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_admin_fkey FOREIGN KEY (admin) REFERENCES public.admins(name) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict wPzgqoua0vFoSIsKpJPH86EXhaNp9yNkcPaS5jyZq5ImQAxG26tcaLmINzXSdSn

