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
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
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
-- Name: user_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.user_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    refresh_token_hash bytea NOT NULL,
    user_agent text DEFAULT ''::text NOT NULL,
    ip inet,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoke_reason text,
    CONSTRAINT user_sessions_refresh_token_hash_check CHECK ((octet_length(refresh_token_hash) = 32)),
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
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: user_preferences user_preferences_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_preferences
    ADD CONSTRAINT user_preferences_pkey PRIMARY KEY (user_id);


--
-- Name: user_sessions user_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_pkey PRIMARY KEY (id);


--
-- Name: user_sessions user_sessions_refresh_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_sessions
    ADD CONSTRAINT user_sessions_refresh_token_hash_key UNIQUE (refresh_token_hash);


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
-- Name: user_sessions_user_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX user_sessions_user_id_idx ON public.user_sessions USING btree (user_id, created_at);


--
-- Name: users_email_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));


--
-- Name: user_preferences user_preferences_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.user_preferences
    ADD CONSTRAINT user_preferences_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


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
    ('20261125120000');
