"""The catalogue of named model specifications (``models/*.toml``) the CLI and benchmarks load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from regprior import registry
from regprior.spec.likelihoods import LIKELIHOOD_FAMILIES

__all__ = [
    "ModelSpec",
    "load_model_spec",
    "available_models",
    "spec_for_family",
    "full_bayes_models",
    "load_full_bayes_model",
]

#: Keys of a full-Bayes entry (``full_bayes = "<kind>"``: a prior on the prior's own scale).
FULL_BAYES_KEYS = {"name", "description", "full_bayes", "likelihood", "parameters"}

DEFAULT_TYPES = {
    "fit_intercept": bool,
    "draws": int,
    "tune": int,
    "chains": int,
    "random_seed": int,
}
TOP_LEVEL_KEYS = {"name", "description", "prior", "likelihood", "sklearn", "defaults"}


@dataclass(frozen=True)
class ModelSpec:
    """A named model: prior family, likelihood, sklearn counterpart and default run settings.

    TOML layout (unknown keys are an error)::

        name = "lasso"
        description = "..."
        prior = "laplace"          # a prior family of the registry
        likelihood = "gaussian"    # Gaussian noise, known sigma
        sklearn = "Lasso"          # must be the registry's counterpart of the pair
        [defaults]                 # optional: fit_intercept, draws, tune, chains, random_seed,
        draws = 1000               # and the pair's fixed strength parameters (l1_ratio)
    """

    name: str
    prior: str
    likelihood: str
    sklearn: str
    description: str = ""
    defaults: dict = field(default_factory=dict)
    source: str = ""

    @property
    def run_defaults(self) -> dict:
        """Defaults of the run (intercept, sampler settings)."""
        return {k: v for k, v in self.defaults.items() if k in DEFAULT_TYPES}

    @property
    def fixed_strength(self) -> dict:
        """Defaults of the pair's fixed strength parameters (``l1_ratio``)."""
        return {k: v for k, v in self.defaults.items() if k not in DEFAULT_TYPES}


def _catalogue_dirs() -> list[Path]:
    # Installed wheels carry the catalogue inside the package; an editable install reads
    # the repository's top-level models/ folder.
    dirs = [
        Path(str(resources.files("regprior") / "models")),
        Path(__file__).resolve().parents[2] / "models",
    ]
    return [d for d in dirs if d.is_dir()]


def available_models() -> dict[str, Path]:
    """Names of the catalogued models and their files."""
    found = {}
    for directory in reversed(_catalogue_dirs()):
        found.update({path.stem: path for path in sorted(directory.glob("*.toml"))})
    return dict(sorted(found.items()))


def _parse(document: dict, source: str) -> ModelSpec:
    unknown = set(document) - TOP_LEVEL_KEYS
    if unknown:
        raise ValueError(
            f"model spec {source}: unknown key(s) {sorted(unknown)}; "
            f"allowed: {sorted(TOP_LEVEL_KEYS)}."
        )
    missing = {"name", "prior", "likelihood", "sklearn"} - set(document)
    if missing:
        raise ValueError(f"model spec {source}: missing key(s) {sorted(missing)}.")
    for key in ("name", "prior", "likelihood", "sklearn", "description"):
        if key in document and not isinstance(document[key], str):
            raise ValueError(
                f"model spec {source}: {key!r} must be a string; got {document[key]!r}."
            )
    if document["likelihood"] not in LIKELIHOOD_FAMILIES:
        raise ValueError(
            f"model spec {source}: likelihood must be one of {sorted(LIKELIHOOD_FAMILIES)}; "
            f"got {document['likelihood']!r}."
        )
    families = registry.prior_families(document["likelihood"]) + registry.skglm_families(
        document["likelihood"]
    )
    if document["prior"] not in families:
        raise ValueError(
            f"model spec {source}: prior must be one of {list(families)}; "
            f"got {document['prior']!r}."
        )
    row = registry.pairing(document["prior"], document["likelihood"])
    if document["sklearn"] != row.estimator:
        raise ValueError(
            f"model spec {source}: a {document['prior']} prior's sklearn counterpart is "
            f"{row.estimator}; got {document['sklearn']!r}."
        )
    # A twin outside sklearn (skglm) has no fixed strength parameter a model could default.
    fixed_names = row.strength[1:] if row.package == "sklearn" else ()
    allowed = {**DEFAULT_TYPES, **{name: float for name in fixed_names}}
    defaults = document.get("defaults", {})
    if not isinstance(defaults, dict):
        raise ValueError(f"model spec {source}: [defaults] must be a table.")
    for key, value in defaults.items():
        if key not in allowed:
            raise ValueError(
                f"model spec {source}: unknown default {key!r}; allowed: {sorted(allowed)}."
            )
        if type(value) is not allowed[key]:
            raise ValueError(
                f"model spec {source}: default {key!r} must be {allowed[key].__name__}; "
                f"got {value!r}."
            )
    fixed = {k: v for k, v in defaults.items() if k in fixed_names}
    try:
        if row.package == "sklearn":
            row.check_strength({row.path_parameter: 1.0, **fixed})
    except (TypeError, ValueError) as error:
        raise ValueError(f"model spec {source}: {error}") from None
    return ModelSpec(
        name=document["name"],
        prior=document["prior"],
        likelihood=document["likelihood"],
        sklearn=document["sklearn"],
        description=document.get("description", ""),
        defaults=dict(defaults),
        source=source,
    )


def _read(name_or_path: str) -> tuple[dict, Path]:
    catalogue = available_models()
    if name_or_path in catalogue:
        path = catalogue[name_or_path]
    else:
        path = Path(name_or_path)
        if path.suffix != ".toml" or not path.is_file():
            raise ValueError(
                f"model {name_or_path!r} is neither a catalogued name {sorted(catalogue)} "
                "nor a .toml file."
            )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValueError(
            f"model spec {path}: not UTF-8 text ({error.reason} at byte {error.start}, line "
            f"{line}); save it as UTF-8 (TOML files are UTF-8)."
        ) from None
    try:
        return tomllib.loads(text), path
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"model spec {path}: invalid TOML ({error}).") from None


def load_model_spec(name_or_path: str) -> ModelSpec:
    """Load a catalogued model by name (``"lasso"``) or a spec file by path (``"my.toml"``)."""
    document, path = _read(name_or_path)
    if "full_bayes" in document:
        raise ValueError(
            f"model {name_or_path!r} is a full-Bayes model (its prior scale is learnt): it has "
            "no single "
            "sklearn counterpart to compare with; use regprior loo or regprior choose."
        )
    return _parse(document, str(path))


def load_full_bayes_model(name_or_path: str):
    """A catalogued full-Bayes model (``full_bayes = "bayesian_lasso" | "learned_scale"``) as its
    specification.

    ``[parameters]`` are the specification's (``BayesianLasso(lam, gamma_shape, gamma_rate)``,
    ``LearnedScale(family, noise_scale, prior_scale, noise_prior)``), checked by it; the value
    ``"learnt"`` (TOML has no null) stands for None: a learnt lambda, a data-scaled default scale.
    """
    from regprior.spec.hierarchical import FULL_BAYES_KINDS as kinds

    document, path = _read(name_or_path)
    unknown = set(document) - FULL_BAYES_KEYS
    if unknown:
        raise ValueError(
            f"model spec {path}: unknown key(s) {sorted(unknown)}; "
            f"allowed: {sorted(FULL_BAYES_KEYS)}."
        )
    if document.get("full_bayes") not in kinds:
        raise ValueError(
            f"model spec {path}: full_bayes must be one of {sorted(kinds)}; "
            f"got {document.get('full_bayes')!r}."
        )
    cls = kinds[document["full_bayes"]]
    if document.get("likelihood") != cls.likelihood:
        raise ValueError(
            f"model spec {path}: {cls.__name__} has a {cls.likelihood} likelihood; "
            f"got {document.get('likelihood')!r}."
        )
    parameters = document.get("parameters", {})
    if not isinstance(parameters, dict):
        raise ValueError(f"model spec {path}: [parameters] must be a table.")
    parameters = {key: None if value == "learnt" else value for key, value in parameters.items()}
    try:
        return cls(**parameters)
    except TypeError as error:
        raise ValueError(f"model spec {path}: {error}") from None


def full_bayes_models() -> dict:
    """Every catalogued full-Bayes model, ``{name: specification}``: what ``regprior loo`` takes."""
    models = {}
    for name, path in available_models().items():
        document, _ = _read(str(path))
        if "full_bayes" in document:
            models[name] = load_full_bayes_model(str(path))
    return models


def spec_for_family(family: str, likelihood: str = registry.DEFAULT_LIKELIHOOD) -> ModelSpec:
    """The catalogued model of a (likelihood, prior family) pair: the registry names it."""
    name = registry.pairing(family, likelihood).model_name
    if name not in available_models():
        raise ValueError(
            f"the catalogued model {name!r} of the {family} prior is missing from models/."
        )
    return load_model_spec(name)
