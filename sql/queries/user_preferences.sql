-- name: CreateUserPreferences :exec
INSERT INTO user_preferences (user_id) VALUES (@user_id);
