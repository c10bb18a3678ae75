"""What an analyzer says per frame and per rep, the rep and hold state machine, hold dating and
fault evidence."""
