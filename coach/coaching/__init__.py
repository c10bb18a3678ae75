"""What to tell the person: the live coach, the comfortable range, the progression rule."""
