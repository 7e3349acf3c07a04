package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/studysprint/studysprint/internal/database"
)

// healthDBTimeout bounds /health/db: a stopped or hung database answers 503
// within this time instead of hanging the probe.
const healthDBTimeout = 2 * time.Second

type healthResponse struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

type healthDBResponse struct {
	Status        string  `json:"status"`
	SchemaVersion string  `json:"schema_version"`
	LatencyMS     float64 `json:"latency_ms"`
}

// health answers while the process is alive, whatever the database does.
func (s *server) health(c echo.Context) error {
	return c.JSON(http.StatusOK, healthResponse{Status: "ok", Version: s.cfg.Version})
}

// healthDB answers 200 with the schema version when the database answers and
// is fully migrated, 503 otherwise. The pool reconnects by itself, so it turns
// 200 again once the database is back.
func (s *server) healthDB(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthDBTimeout)
	defer cancel()
	start := time.Now()
	version, err := database.SchemaVersion(ctx, s.pool)
	latency := float64(time.Since(start).Microseconds()) / 1000
	switch {
	case errors.Is(err, database.ErrNotMigrated):
		return errUnavailable("schema_outdated", "the database has no schema yet; run migrations", 5, err)
	case err != nil:
		requestLogger(c).Warn("database health check failed", "err", err)
		return errUnavailable("database_unavailable", "the database is not reachable", 5, nil)
	case version < database.LatestMigration():
		return errUnavailable("schema_outdated", "the database schema is older than this binary; run migrations", 5, nil)
	}
	return c.JSON(http.StatusOK, healthDBResponse{Status: "ok", SchemaVersion: version, LatencyMS: latency})
}

// jwks publishes the public keys that verify access tokens.
func (s *server) jwks(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, s.keys.PublicSet())
}
