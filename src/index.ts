// Public API: one construct per file, re-exported here as constructs land.
export {};
