"""Rules applied while files are read (``loading``, ``yamlsafe``, ``validate``)."""

from accessreg.model.problems import Level
from accessreg.rules.base import RegistryRule, Rule

RULES: tuple[RegistryRule, ...] = (
    Rule(
        "yaml-syntax",
        "-",
        "The file is not well-formed YAML, not UTF-8 text, holds more than one document, or "
        "uses a list or a mapping as a key.",
    ),
    Rule(
        "yaml-duplicate-key",
        "-",
        "A key appears twice in one mapping.\n\nYAML would silently keep the later value, so a "
        "reviewer could approve one value and the tools apply another.",
    ),
    Rule(
        "yaml-anchor",
        "-",
        "Anchors and aliases (`&a`, `*a`) are refused.\n\nEvery value must stand where it "
        "applies, so that a diff shows every permission that changes.",
    ),
    Rule("yaml-tag", "-", "Explicit tags (`!foo`, `!!str`) are refused: write plain values."),
    Rule(
        "yaml-limits",
        "-",
        "Collections are nested more than 32 levels deep, or an integer has more digits than "
        "Python converts (4,300).\n\nNo registry file needs either, and reading them would "
        "exhaust the tool.",
    ),
    Rule(
        "text-control",
        "-",
        "A key or a text value holds a control, format or line-separator character: NUL, "
        "ESC, a bidirectional override such as U+202E, a zero-width character, U+2028, a "
        "space other than the half-width and the full-width one (U+00A0, U+2003), and "
        "line breaks and tabs outside the multi-line fields (`memo`, `reason`, `note`).\n\n"
        'YAML\'s escapes (`"\\x1b"`) let a file hold them although its bytes look harmless; '
        "invisible, they would reach the import files, the mails, the terminal and the "
        "pull-request comment. A name holding a line break could also add a mail header, "
        "and one with another space look like a name written with the usual one.",
    ),
    Rule("file-too-large", "-", "A file is over the size cap (1 MiB)."),
    Rule(
        "file-location",
        "-",
        "A file is where no file belongs.\n\nOperators live in `operators/<CODE>.yaml`, users in "
        "`users/<CODE>/<e-mail in lower case>.yaml`; besides those only `systems.yaml`, "
        "`maintainers.yaml`, `calendar.yaml`, `README.md` and `.gitkeep` may be in the registry.",
    ),
    Rule(
        "file-type",
        "-",
        "An entry of the registry is no regular file: a submodule entry (a gitlink), a "
        "symbolic link, or, in a work tree, a directory named as a registry file.\n\nThe "
        "checks, the plan and the outputs read files only: such an entry would pass every "
        "check unseen, and a link would be read as the path it points to.",
    ),
    Rule(
        "file-name-text",
        "-",
        "A file name is not UTF-8 text, or holds a control character (a line break, ESC): "
        "no registry file is named so, and no message could show the name as it is.",
    ),
    Rule("file-missing", "-", "The catalog `systems.yaml` is missing."),
    Rule(
        "schema",
        "-",
        "The file does not match its JSON Schema in `schemas/`.\n\nThe message names the field "
        "and what is expected; permission codes must be quoted strings.",
    ),
    Rule(
        "schema-comment",
        "-",
        "The first line is not the `# yaml-language-server: $schema=…` modeline that "
        "lets editors check the file while it is typed.",
        level=Level.WARNING,
    ),
    Rule(
        "schema-stale",
        "-",
        "A schema in `schemas/` differs from what the models and the catalog generate: run "
        "`accessreg schemas` and commit the result.\n\nIn a change that touches neither the "
        "schemas nor the catalog, a warning: it was stale before, and the change is not held "
        "back for it.",
    ),
    Rule(
        "generated-stale",
        "-",
        "An issue form in `.github/ISSUE_TEMPLATE/` or `.github/CODEOWNERS` differs from "
        "what the catalog and `maintainers.yaml` generate: run `accessreg forms` or "
        "`accessreg codeowners` and commit the result.\n\nA stale CODEOWNERS keeps a removed "
        "maintainer an owner whose approval still counts, or leaves a new one out; a stale "
        "form offers codes and dates the catalog no longer has. In a change that touches "
        "neither these files nor the catalog and `maintainers.yaml`, a warning: it was stale "
        "before, and the change is not held back for it.",
    ),
)
