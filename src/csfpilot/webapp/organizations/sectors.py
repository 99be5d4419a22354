"""The sectors an organization can belong to, for sector benchmarks.

The list is the sixteen critical infrastructure sectors that CISA names (US
Presidential Policy Directive 21), the grouping sector bodies and national
programs most often use with the CSF. It is a closed list on purpose: a
benchmark compares organizations only when they chose the same sector, and
free text ("Finance", "financial services", "banking") would split them.
An organization without a sector ("") takes part in no benchmark.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    CHEMICAL = "chemical", _("Chemical")
    COMMERCIAL_FACILITIES = "commercial-facilities", _("Commercial facilities")
    COMMUNICATIONS = "communications", _("Communications")
    CRITICAL_MANUFACTURING = "critical-manufacturing", _("Critical manufacturing")
    DAMS = "dams", _("Dams")
    DEFENSE_INDUSTRIAL_BASE = "defense-industrial-base", _("Defense industrial base")
    EMERGENCY_SERVICES = "emergency-services", _("Emergency services")
    ENERGY = "energy", _("Energy")
    FINANCIAL_SERVICES = "financial-services", _("Financial services")
    FOOD_AGRICULTURE = "food-agriculture", _("Food and agriculture")
    GOVERNMENT_FACILITIES = "government-facilities", _("Government facilities")
    HEALTHCARE = "healthcare", _("Healthcare and public health")
    INFORMATION_TECHNOLOGY = "information-technology", _("Information technology")
    NUCLEAR = "nuclear", _("Nuclear reactors, materials and waste")
    TRANSPORTATION = "transportation", _("Transportation systems")
    WATER = "water", _("Water and wastewater systems")
