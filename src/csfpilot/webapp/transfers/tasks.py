"""No background work: a transfer of a whole profile takes well under a second (see bench/)."""
