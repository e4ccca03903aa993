"""Sub-fields (细分领域) of the demo postings, read off the sub-topic the generator already chose.

Each sub-topic lists the sub-fields its postings are about, best fit first. A need takes the first
one under its own field (none where no sub-field of its field fits, as with 污水处理 under 水利, whose
sub-fields are supply, floods, irrigation and ecology); a provider takes the first one under its
fields and up to two more of the others under its fields. The extra picks come from a generator of
their own (``random.Random(f"{seed}-subfields")``), so the seeded texts never change.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from market import taxonomy

TOPIC_SUBFIELDS: dict[str, tuple[str, ...]] = {
    "materials/carbon-fiber": ("materials-composite", "materials-polymer", "ev-lightweight"),
    "materials/thermal": ("materials-electronic", "materials-nano", "materials-composite"),
    "materials/biodegradable": ("materials-polymer", "chemical-fine"),
    "materials/coating": ("materials-coating", "materials-nano", "chemical-coatings"),
    "chemical/catalyst": ("chemical-catalysis", "chemical-fine", "environment-air"),
    "chemical/separation": ("chemical-process", "chemical-fine"),
    "chemical/electronic": ("chemical-fine", "materials-electronic", "semiconductor-equipment"),
    "chemical/additives": ("chemical-coatings", "chemical-fine", "materials-polymer"),
    "metallurgy/steel-energy": ("metallurgy-steel", "environment-efficiency", "environment-carbon"),
    "metallurgy/mineral": ("metallurgy-beneficiation", "metallurgy-mining", "environment-solidwaste"),
    "metallurgy/alloy": ("metallurgy-forming", "metallurgy-nonferrous", "materials-metal"),
    "metallurgy/mine-safety": ("metallurgy-mining", "ai-iot"),
    "textile/functional": ("textile-technical", "textile-fibres", "materials-polymer"),
    "textile/dyeing": ("textile-dyeing", "environment-wastewater", "chemical-fine"),
    "textile/recycled": ("textile-fibres", "environment-solidwaste", "materials-polymer"),
    "textile/smart-garment": ("textile-garment", "manufacturing-automation"),
    "energy/pv": ("energy-solar", "materials-electronic"),
    "energy/hydrogen": ("energy-hydrogen", "materials-nano"),
    "energy/storage": ("energy-storage", "energy-grid", "ev-battery"),
    "energy/wind": ("energy-wind", "energy-grid"),
    "ev/low-temp": ("ev-battery", "ev-bms", "energy-storage"),
    "ev/recycling": ("ev-battery", "energy-storage", "environment-solidwaste"),
    "ev/fast-charge": ("ev-charging", "ev-battery", "materials-electronic"),
    "ev/bms": ("ev-bms", "ev-battery", "energy-storage"),
    "environment/vocs": ("environment-air", "chemical-catalysis"),
    "environment/solid-waste": ("environment-solidwaste", "water-ecology"),
    "environment/waste-heat": ("environment-efficiency", "environment-carbon", "energy-grid"),
    "environment/soil": ("environment-soil", "chemical-process"),
    "water/leakage": ("water-supply", "environment-efficiency"),
    "water/sewage": ("environment-wastewater",),  # no 水利 sub-field fits 污水处理
    "water/irrigation": ("water-irrigation", "agri-smartfarm"),
    "water/flood": ("water-flood", "construction-geotech"),
    "semiconductor/packaging": ("semiconductor-packaging", "ict-pcb"),
    "semiconductor/sic": ("semiconductor-power", "semiconductor-fab", "materials-electronic"),
    "semiconductor/defect": ("semiconductor-fab", "semiconductor-equipment", "ai-vision"),
    "semiconductor/analog": ("semiconductor-design", "ict-embedded"),
    "ai/vision-qc": ("ai-vision", "manufacturing-inspection", "software-mes"),
    "ai/llm-kb": ("ai-models", "ai-nlp", "software-erp"),
    "ai/forecast": ("ai-decision", "ai-bigdata", "software-erp"),
    "ai/video": ("ai-vision", "ict-security"),
    "ict/antenna": ("ict-5g", "ict-pcb"),
    "ict/emc": ("ict-pcb", "ict-embedded"),
    "ict/optical": ("ict-optical", "semiconductor-optoelectronic"),
    "ict/iot": ("ict-embedded", "ict-5g", "ict-sensors", "ai-iot"),
    "software/cae": ("software-cad", "software-twin"),
    "software/mes": ("software-mes", "software-erp", "manufacturing-automation"),
    "software/scada": ("software-plc", "ai-iot", "software-twin"),
    "software/cad": ("software-cad", "manufacturing-moulds"),
    "biomed/antibody": ("biomed-biologics", "biomed-cell"),
    "biomed/fermentation": ("biomed-synbio", "chemical-process"),
    "biomed/formulation": ("biomed-drugs", "tcm-formulas"),
    "biomed/ivd": ("biomed-diagnostics", "meddevice-monitoring"),
    "meddevice/imaging": ("meddevice-imaging", "ai-vision"),
    "meddevice/implant": ("meddevice-implants", "manufacturing-additive", "materials-metal"),
    "meddevice/wearable": ("meddevice-monitoring", "ict-sensors", "ai-bigdata"),
    "meddevice/rehab": ("meddevice-rehab", "manufacturing-robots"),
    "tcm/quality": ("tcm-quality", "biomed-diagnostics", "agri-safety"),
    "tcm/granule": ("tcm-formulas", "tcm-quality", "chemical-process"),
    "tcm/planting": ("tcm-herbs", "agri-breeding"),
    "tcm/formula": ("tcm-formulas", "biomed-drugs"),
    "agri/cold-chain": ("agri-processing", "agri-safety"),
    "agri/pest": ("agri-smartfarm", "agri-breeding", "ai-vision"),
    "agri/feed": ("agri-livestock", "biomed-synbio"),
    "agri/food-process": ("agri-processing", "agri-safety"),
    "manufacturing/welding": ("manufacturing-welding", "manufacturing-robots", "metallurgy-forming"),
    "manufacturing/pdm": ("ai-iot", "ai-decision", "software-twin"),  # no 智能制造 sub-field for PHM
    "manufacturing/logistics": ("manufacturing-robots", "manufacturing-automation", "ai-decision"),
    "manufacturing/machining": ("manufacturing-precision", "manufacturing-moulds", "metallurgy-forming"),
    "manufacturing/moulding": ("manufacturing-injection", "manufacturing-moulds", "materials-polymer"),
    "aerospace/uav": ("aerospace-uav", "aerospace-avionics"),
    "aerospace/blade": ("aerospace-engines", "materials-metal", "materials-coating"),
    "aerospace/assembly": ("aerospace-aircraft", "manufacturing-automation", "manufacturing-inspection"),
    "aerospace/remote-sensing": ("aerospace-satellites", "ai-vision"),
    "marine/antifouling": ("marine-ships", "marine-offshore", "materials-coating"),
    "marine/offshore-wind": ("marine-offshore", "energy-wind", "construction-structures"),
    "marine/aquaculture": ("marine-resources", "marine-offshore"),
    "marine/rov": ("marine-underwater", "marine-offshore"),
    "construction/prefab": ("construction-prefab", "construction-structures"),
    "construction/concrete": ("construction-structures", "construction-materials", "construction-roads"),
    "construction/bim": ("construction-bim", "software-twin"),
    "construction/geotech": ("construction-geotech", "construction-roads"),
}

_FIELD_OF = {term.code: field for field, terms in taxonomy.SUBFIELDS.items() for term in terms}


def field_of(code: str) -> str:
    """The field a seeded sub-field code belongs to."""
    return _FIELD_OF[code]


def need_subfield(topic_key: str, field: str) -> str | None:
    """The need's sub-field: the best fit of its sub-topic under its own field, if any."""
    return next((c for c in TOPIC_SUBFIELDS.get(topic_key, ()) if _FIELD_OF[c] == field), None)


def provider_subfields(rng: random.Random, topic_key: str, fields: Sequence[str]) -> tuple[str, ...]:
    """One to three sub-fields under the provider's fields: the best fit, then 0-2 of the others."""
    fitting = [c for c in TOPIC_SUBFIELDS.get(topic_key, ()) if _FIELD_OF[c] in fields]
    if not fitting:
        return ()
    extra = rng.sample(fitting[1:], rng.randint(0, min(2, len(fitting) - 1)))
    return (fitting[0], *sorted(extra, key=fitting.index))
