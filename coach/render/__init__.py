"""Pictures for people: the overlay on each frame, the annotated video, the HTML report."""
