"""The jobs: analyze a video, coach live, calibrate; each joins a source, the model and an analyzer."""
