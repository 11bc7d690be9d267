-- The application's own database; Temporal's auto-setup creates `temporal` and `temporal_visibility`.
CREATE DATABASE lever_codesignal;
