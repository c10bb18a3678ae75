"""Files that must survive a crash: atomic writes, the report, the session log, profiles, the history."""
