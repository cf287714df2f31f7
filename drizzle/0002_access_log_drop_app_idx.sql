-- Nothing queries access_log by application_id, and every index costs each gateway decision an index insert.
DROP INDEX "access_log_app_idx";