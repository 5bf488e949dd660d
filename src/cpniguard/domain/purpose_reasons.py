"""The reasons and conditions the purpose rules give, each with its citation.

Sentences are written to be read aloud by a representative; rule ids are stable so that
logs, tests and documentation can name them.
"""

from __future__ import annotations

from cpniguard.domain.decisions import Alternative, Condition, Reason, allow

PROVIDE_SERVICE = Reason(
    "222(c)(1).provide-service",
    "47 U.S.C. 222(c)(1)(A)",
    "Account information may be used to provide the service it comes from.",
)
REPAIR = Reason(
    "222(c)(1).repair",
    "47 U.S.C. 222(c)(1)(B)",
    "Account information may be used to repair and troubleshoot the customer's service.",
)
BILLING = Reason(
    "222(d)(1).billing",
    "47 U.S.C. 222(d)(1)",
    "Account information may be used to start, render, bill and collect for the service.",
)
FRAUD = Reason(
    "64.2005(d).fraud",
    "47 CFR 64.2005(d); 47 U.S.C. 222(d)(2)",
    "Account information may be used to protect the carrier, its users and other carriers from fraud "
    "or unlawful use of the service.",
)
LEGAL_PROCESS = Reason(
    "222(c)(1).legal-process",
    "47 U.S.C. 222(c)(1)",
    "Account information may be disclosed as the law requires, under a court order or subpoena.",
)
NO_LEGAL_PROCESS = Reason(
    "222(c)(1).legal-process-missing",
    "47 U.S.C. 222(c)(1)",
    "A disclosure to a government body or court needs a court order or subpoena on file; none was named.",
)
PIC_FREEZE = Reason(
    "64.1190.pic-freeze",
    "47 CFR 64.1190",
    "Another carrier may be told whether a preferred carrier freeze is in place, and nothing more.",
)
DIRECTORY = Reason(
    "222(e).directory",
    "47 U.S.C. 222(e), 222(h)(3)",
    "A published listing is subscriber list information and may be provided for directories.",
)
NOT_LISTED = Reason(
    "222(h)(3).not-listed",
    "47 U.S.C. 222(h)(3)",
    "The customer's listing is unlisted or non-published, so it is not subscriber list information "
    "and may not be given for a directory.",
)
WITHIN_CATEGORIES = Reason(
    "64.2005(a).total-service",
    "47 CFR 64.2005(a)",
    "The offer is in a category of service the customer already buys from us, so no approval is needed.",
)
OUTSIDE_CATEGORIES = Reason(
    "64.2005(b).outside-categories",
    "47 CFR 64.2005(b)",
    "The offer is in a category of service the customer does not buy from us; that needs the customer's "
    "approval.",
)
CATEGORY_MISSING = Reason(
    "64.2005(a).category-missing",
    "47 CFR 64.2005(a)",
    "Marketing within the customer's categories needs the category of service of the offer.",
)
AFFILIATE_SEVERAL_CATEGORIES = Reason(
    "64.2005(a)(1).affiliate",
    "47 CFR 64.2005(a)(1)",
    "The customer buys more than one category of service from us, so affiliates that serve the customer "
    "may share the information.",
)
AFFILIATE_ONE_CATEGORY = Reason(
    "64.2005(a)(2).affiliate",
    "47 CFR 64.2005(a)(2)",
    "The customer buys only one category of service from us, so affiliates may not share the information "
    "without the customer's approval.",
)
APPROVED = Reason(
    "64.2007(b).approved",
    "47 CFR 64.2007(b)",
    "The customer's opt-out or opt-in approval covers marketing of communications-related services.",
)
NOT_APPROVED = Reason(
    "64.2007(b).not-approved",
    "47 CFR 64.2007(b); 64.2009(a)",
    "The customer has not approved this use of account information, or has opted out.",
)
ONE_TIME_ORAL = Reason(
    "64.2008(f).one-time",
    "47 CFR 64.2008(f)",
    "The customer agreed on this call; the approval lasts only for this call.",
)
OPT_IN = Reason(
    "64.2007(b).opt-in",
    "47 CFR 64.2007(b)",
    "The customer opted in to sharing with this kind of recipient.",
)
NEEDS_OPT_IN = Reason(
    "64.2007(b).opt-in-required",
    "47 CFR 64.2007(b)",
    "Joint-venture partners, independent contractors, affiliates that provide no communications-related "
    "services and other third parties need the customer's opt-in; opt-out is not enough.",
)
NON_COMMUNICATIONS_AFFILIATE_NEEDS_OPT_IN = Reason(
    "64.2007(b).non-communications-affiliate",
    "47 CFR 64.2007(b); 64.2005(a)(1)",
    "This affiliate provides no communications-related services, so it needs the customer's opt-in; "
    "opt-out, or the customer buying several categories of service, is not enough.",
)
DESIGNATED = Reason(
    "222(c)(2).designated",
    "47 U.S.C. 222(c)(2)",
    "The customer asked in writing that this information go to this recipient.",
)
NOT_DESIGNATED = Reason(
    "222(c)(2).no-written-request",
    "47 U.S.C. 222(c)(2)",
    "Disclosure to someone the customer names needs the customer's affirmative written request; none is "
    "on file.",
)
TELEMARKETING = Reason(
    "222(d)(3).inbound",
    "47 U.S.C. 222(d)(3)",
    "The customer called and agreed, so account information may be used for this call only.",
)
TELEMARKETING_REFUSED = Reason(
    "222(d)(3).no-consent",
    "47 U.S.C. 222(d)(3)",
    "Inbound telemarketing needs a call the customer started and the customer's consent on that call.",
)
EMERGENCY = Reason(
    "222(d)(4).emergency",
    "47 U.S.C. 222(d)(4)",
    "Call location information may be given to emergency services responding to the customer's call.",
)
CPE_WIRELESS = Reason(
    "64.2005(b)(1).cmrs",
    "47 CFR 64.2005(b)(1)",
    "A wireless provider may use wireless account information to provide equipment and information services.",
)
CPE_WIRELINE = Reason(
    "64.2005(b)(1).wireline",
    "47 CFR 64.2005(b)(1)",
    "A wireline carrier may use local or long-distance account information for equipment, call answering, "
    "voice mail, voice storage, fax store-and-forward and protocol conversion.",
)
CPE_NO_SERVICE = Reason(
    "64.2005(b)(1).no-service",
    "47 CFR 64.2005(b)(1)",
    "The equipment and information-service exception needs wireless, local or long-distance service.",
)
INSIDE_WIRING = Reason(
    "64.2005(c)(1).inside-wiring",
    "47 CFR 64.2005(c)(1)",
    "Account information may be used to install, maintain and repair inside wiring.",
)
HEALTH_RESEARCH = Reason(
    "64.2005(c)(2).health-research",
    "47 CFR 64.2005(c)(2)",
    "A wireless provider may use account information for research on the health effects of wireless service.",
)
ADJUNCT = Reason(
    "64.2005(c)(3).adjunct-to-basic",
    "47 CFR 64.2005(c)(3)",
    "Account information may be used to market features such as call waiting, caller ID and call forwarding.",
)
SERVICE_MISSING = Reason(
    "64.2005(c).service-missing",
    "47 CFR 64.2005(c)",
    "This use is allowed only for a customer who takes the service it depends on; this customer does not.",
)
RETENTION_MARKETING = Reason(
    "222(b).retention",
    "47 U.S.C. 222(b)",
    "Information from another carrier's port-out or carrier-change request may never be used for "
    "marketing, including to keep the customer.",
)
AGGREGATE_USE = Reason(
    "222(c)(3).aggregate",
    "47 U.S.C. 222(c)(3), 222(h)(2)",
    "Aggregate information, with individual identities and characteristics removed, may be used.",
)

ONLY_FOR_THIS_CALL = Condition("only_for_this_call", "Use it only for the rest of this call.")
ONLY_FREEZE_STATUS = Condition(
    "only_freeze_status", "Say only whether a preferred carrier freeze is in place."
)
ONLY_WHAT_PROCESS_REQUIRES = Condition(
    "only_what_legal_process_requires", "Disclose only what the court order or subpoena requires."
)
ONLY_DESIGNATED_RECIPIENT = Condition(
    "only_designated_recipient", "Disclose only to the person the customer named in writing."
)
ONLY_LOCATION = Condition("only_call_location", "Give only call location information, to emergency services.")
ONLY_CMRS_DATA = Condition("only_wireless_cpni", "Use only information from the customer's wireless service.")
ONLY_LISTED_WIRELINE_USES = Condition(
    "only_wireline_exception_products",
    "Use it only for equipment, call answering, voice mail, voice storage, fax store-and-forward or "
    "protocol conversion.",
)
IDENTITIES_REMOVED = Condition(
    "identities_removed",
    "Remove every individual identity and characteristic; a LEC must offer the same aggregate to others.",
)
ASK_APPROVAL = Alternative(
    "ask_for_approval", "Ask the customer for approval (opt-in, or oral consent for this call)."
)
ASK_OPT_IN = Alternative(
    "ask_for_opt_in", "Ask the customer to opt in to sharing with this kind of recipient."
)
GET_WRITTEN_REQUEST = Alternative(
    "get_written_request", "Get the customer's affirmative written request naming the recipient."
)
NAME_LEGAL_PROCESS = Alternative(
    "record_legal_process", "Record the court order or subpoena, then ask again."
)

EMERGENCY_ONLY = allow(EMERGENCY, ONLY_LOCATION)
