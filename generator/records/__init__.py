"""Read, validate, identify and write the records in data/.

models (pydantic files) · yamlsource (strict YAML with positions) · parse (model errors as
positioned problems) · load (the data directory into a Collection, failing once) · collection
(Paper, Report, Collection and the brief rules) · briefinputs (what a generated brief depends on) ·
keys (paper identity) · stored (paper files read leniently for authoring) · registry · ids ·
store (the one atomic writer) · schema · annotations (GitHub workflow commands)
"""
