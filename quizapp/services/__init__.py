"""Units of work: each public function is one transaction."""
