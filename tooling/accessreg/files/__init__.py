"""Reading and writing registry files: strict YAML, schemas, loading, caches, atomic writes."""
