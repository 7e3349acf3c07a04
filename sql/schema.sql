\restrict dbmate


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
-- Name: login_failures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_failures (
    id bigint NOT NULL,
    user_id uuid NOT NULL,
    failed_at timestamp with time zone NOT NULL,
    ip inet
);


--
-- Name: login_failures_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.login_failures ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.login_failures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


--
-- Name: security_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.security_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    ip inet,
    user_agent text DEFAULT ''::text NOT NULL,
    session_id uuid,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT security_events_detail_check CHECK ((jsonb_typeof(detail) = 'object'::text)),
    CONSTRAINT security_events_kind_check CHECK ((kind = ANY (ARRAY['login_succeeded'::text, 'login_failed'::text, 'account_locked'::text, 'refresh_token_reused'::text, 'password_changed'::text, 'email_changed'::text, 'session_revoked'::text, 'account_deleted'::text]))),
    CONSTRAINT security_events_user_agent_check CHECK ((char_length(user_agent) <= 512))
);


--
-- Name: user_preferences; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_preferences (
    user_id uuid NOT NULL,
    theme text DEFAULT 'system'::text NOT NULL,
    pomodoro_work_minutes integer DEFAULT 25 NOT NULL,
    pomodoro_short_break_minutes integer DEFAULT 5 NOT NULL,
    pomodoro_long_break_minutes integer DEFAULT 15 NOT NULL,
    pomodoro_long_break_every integer DEFAULT 4 NOT NULL,
    auto_start_breaks boolean DEFAULT false NOT NULL,
    daily_goal_minutes integer DEFAULT 60 NOT NULL,
    streak_min_minutes integer DEFAULT 10 NOT NULL,
    idle_threshold_seconds integer DEFAULT 300 NOT NULL,
    page_min_seconds integer DEFAULT 5 NOT NULL,
    page_max_seconds integer DEFAULT 900 NOT NULL,
    week_start text DEFAULT 'monday'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_preferences_daily_goal_minutes_check CHECK (((daily_goal_minutes >= 0) AND (daily_goal_minutes <= 1440))),
    CONSTRAINT user_preferences_idle_threshold_seconds_check CHECK (((idle_threshold_seconds >= 30) AND (idle_threshold_seconds <= 3600))),
    CONSTRAINT user_preferences_page_bounds_check CHECK ((page_min_seconds < page_max_seconds)),
    CONSTRAINT user_preferences_page_max_seconds_check CHECK (((page_max_seconds >= 10) AND (page_max_seconds <= 7200))),
    CONSTRAINT user_preferences_page_min_seconds_check CHECK (((page_min_seconds >= 0) AND (page_min_seconds <= 600))),
    CONSTRAINT user_preferences_pomodoro_long_break_every_check CHECK (((pomodoro_long_break_every >= 1) AND (pomodoro_long_break_every <= 12))),
    CONSTRAINT user_preferences_pomodoro_long_break_minutes_check CHECK (((pomodoro_long_break_minutes >= 1) AND (pomodoro_long_break_minutes <= 120))),
    CONSTRAINT user_preferences_pomodoro_short_break_minutes_check CHECK (((pomodoro_short_break_minutes >= 1) AND (pomodoro_short_break_minutes <= 60))),
    CONSTRAINT user_preferences_pomodoro_work_minutes_check CHECK (((pomodoro_work_minutes >= 1) AND (pomodoro_work_minutes <= 180))),
    CONSTRAINT user_preferences_streak_min_minutes_check CHECK (((streak_min_minutes >= 1) AND (streak_min_minutes <= 1440))),
    CONSTRAINT user_preferences_theme_check CHECK ((theme = ANY (ARRAY['light'::text, 'dark'::text, 'system'::text]))),
    CONSTRAINT user_preferences_week_start_check CHECK ((week_start = ANY (ARRAY['monday'::text, 'sunday'::text])))
);


--
-- Name: user_refresh_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_refresh_tokens (
    token_hash bytea NOT NULL,
    session_id uuid NOT NULL,
    user_id uuid NOT NULL,
    issued_at timestamp with time zone NOT NULL,
    rotated_at timestamp with time zone,
    CONSTRAINT user_refresh_tokens_rotated_check CHECK (((rotated_at IS NULL) OR (rotated_at >= issued_at))),
    CONSTRAINT user_refresh_tokens_token_hash_check CHECK ((octet_length(token_hash) = 32))
);


--
-- Name: user_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL,
    ip inet,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoke_reason text,
    refresh_secret bytea NOT NULL,
    absolute_expires_at timestamp with time zone NOT NULL,
    CONSTRAINT user_sessions_expiry_check CHECK ((expires_at <= absolute_expires_at)),
    CONSTRAINT user_sessions_refresh_secret_check CHECK ((octet_length(refresh_secret) = 32)),
    CONSTRAINT user_sessions_revoked_check CHECK (((revoked_at IS NULL) = (revoke_reason IS NULL))),
    CONSTRAINT user_sessions_user_agent_check CHECK ((char_length(user_agent) <= 512))
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    username text NOT NULL,
    full_name text DEFAULT ''::text NOT NULL,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    password_hash text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_login_at timestamp with time zone,
    CONSTRAINT users_email_check CHECK ((((length(email) >= 3) AND (length(email) <= 254)) AND (strpos(email, '@'::text) > 1))),
    CONSTRAINT users_full_name_check CHECK ((char_length(full_name) <= 200)),
    CONSTRAINT users_password_hash_check CHECK ((password_hash <> ''::text)),
    CONSTRAINT users_timezone_check CHECK (((char_length(timezone) >= 1) AND (char_length(timezone) <= 64))),
    CONSTRAINT users_username_check CHECK ((username ~ '^[a-z0-9_-]{3,32}$'::text))
);


--
-- Name: login_failures login_failures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_failures
    ADD CONSTRAINT login_failures_pkey PRIMARY KEY (id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: security_events security_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.security_events
    ADD CONSTRAINT security_events_pkey PRIMARY KEY (id);


--
-- Name: user_preferences user_preferences_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_preferences
    ADD CONSTRAINT user_preferences_pkey PRIMARY KEY (user_id);


--
-- Name: user_refresh_tokens user_refresh_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_refresh_tokens
    ADD CONSTRAINT user_refresh_tokens_pkey PRIMARY KEY (token_hash);


--
-- Name: user_sessions user_sessions_id_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_id_user_id_key UNIQUE (id, user_id);


--
-- Name: user_sessions user_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_pkey PRIMARY KEY (id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users users_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_username_key UNIQUE (username);


--
-- Name: login_failures_failed_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_failures_failed_at_idx ON public.login_failures USING btree (failed_at);


--
-- Name: login_failures_user_id_failed_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX login_failures_user_id_failed_at_idx ON public.login_failures USING btree (user_id, failed_at DESC);


--
-- Name: security_events_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX security_events_created_at_idx ON public.security_events USING btree (created_at);


--
-- Name: security_events_user_id_created_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX security_events_user_id_created_at_idx ON public.security_events USING btree (user_id, created_at DESC, id DESC);


--
-- Name: user_refresh_tokens_live_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX user_refresh_tokens_live_key ON public.user_refresh_tokens USING btree (session_id) WHERE (rotated_at IS NULL);


--
-- Name: user_refresh_tokens_session_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_refresh_tokens_session_idx ON public.user_refresh_tokens USING btree (session_id, user_id);


--
-- Name: user_sessions_expires_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_sessions_expires_at_idx ON public.user_sessions USING btree (expires_at);


--
-- Name: user_sessions_revoked_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_sessions_revoked_at_idx ON public.user_sessions USING btree (revoked_at) WHERE (revoked_at IS NOT NULL);


--
-- Name: user_sessions_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_sessions_user_id_idx ON public.user_sessions USING btree (user_id, created_at);


--
-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));


--
-- Name: login_failures login_failures_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_failures
    ADD CONSTRAINT login_failures_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: user_preferences user_preferences_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_preferences
    ADD CONSTRAINT user_preferences_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: user_refresh_tokens user_refresh_tokens_session_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_refresh_tokens
    ADD CONSTRAINT user_refresh_tokens_session_fkey FOREIGN KEY (session_id, user_id) REFERENCES public.user_sessions(id, user_id) ON DELETE CASCADE;


--
-- Name: user_sessions user_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict dbmate


--
-- Dbmate schema migrations
--

INSERT INTO public.schema_migrations (version) VALUES
    ('20261125120000'),
    ('20261125130000');
