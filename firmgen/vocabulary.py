"""The firm's fixed vocabulary: enum values (checked against the OpenAPI spec by the tests) and word lists."""
from __future__ import annotations

MATTER_STATUSES = ("Open", "Pending", "Closed")
BILLING_METHODS = ("hourly", "flat", "contingency")
BILL_STATES = ("draft", "awaiting_approval", "awaiting_payment", "paid", "void", "deleted")
TASK_STATUSES = ("pending", "in_progress", "in_review", "complete", "draft")
TASK_PRIORITIES = ("High", "Normal", "Low")
EXPENSE_TYPES = ("ExpenseEntry", "HardCostEntry", "SoftCostEntry")
TAX_SETTINGS = ("no_tax", "tax_1_only", "tax_2_only", "tax_1_and_tax_2")
PHONE_NAMES = ("Work", "Personal", "Other")
ADDRESS_NAMES = ("Work", "Home", "Billing", "Other")
WEB_SITE_NAMES = ("Work", "Personal", "Twitter", "Facebook", "LinkedIn", "Instant Messenger", "Other")
FIELD_TYPES = (
    "checkbox", "contact", "currency", "date", "time", "email",
    "matter", "numeric", "picklist", "text_area", "text_line", "url",
)
CUSTOM_FIELD_PARENTS = ("Matter", "Contact")

# (name, code, category)
PRACTICE_AREAS = (
    ("Personal Injury", "PI", "personal_injury"),
    ("Family Law", "FAM", "family"),
    ("Criminal Defense", "CRIM", "criminal"),
    ("Real Estate", "RE", "real_estate"),
    ("Corporate", "CORP", "business_formation_and_compliance"),
    ("Wills & Estates", "WILLS", "wills_and_estates"),
    ("Employment", "EMP", "employment_and_labor"),
    ("Immigration", "IMM", "immigration"),
)
MATTER_STAGES = ("Intake", "Investigation", "Negotiation", "Litigation", "Wrap-up")

# (name, hourly amount, rate type)
ACTIVITY_DESCRIPTIONS = (
    ("Client meeting", 350.0, "User"),
    ("Court appearance", 450.0, "Custom"),
    ("Drafting", 300.0, "User"),
    ("Legal research", 275.0, "User"),
    ("Phone call", 250.0, "User"),
    ("Travel", 150.0, "Custom"),
    ("Document review", 225.0, "User"),
    ("Deposition", 500.0, "Custom"),
    ("Flat fee: incorporation", 1500.0, "FlatRate"),
    ("Email correspondence", 200.0, "User"),
)
# (name, default rate)
EXPENSE_CATEGORIES = (
    ("Court filing fee", 435),
    ("Photocopies", 1),
    ("Courier", 45),
    ("Mileage", 1),
    ("Expert witness", 2500),
    ("Postage", 12),
)

CUSTOM_FIELD_NAMES = {
    "checkbox": "Conflict checked",
    "contact": "Referral source",
    "currency": "Claim value",
    "date": "Incident date",
    "time": "Preferred call time",
    "email": "Billing email",
    "matter": "Related matter",
    "numeric": "Court file number",
    "picklist": "Jurisdiction",
    "text_area": "Background",
    "text_line": "Opposing party",
    "url": "Case portal",
}
PICKLIST_OPTIONS = ("Federal", "State", "County", "Tribal", "Administrative", "Québec")

RELATIONSHIP_DESCRIPTIONS = (
    "Opposing counsel", "Expert witness", "Insurance adjuster", "Spouse", "Witness", "Co-counsel",
    "Guardian ad litem", "Referring attorney", "Mediator",
)
FOLDER_NAMES = ("Correspondence", "Pleadings", "Drafts")
DOCUMENT_STEMS = (
    "Engagement letter", "Retainer agreement", "Complaint", "Answer", "Medical records", "Deposition transcript",
    "Settlement agreement", "Invoice backup", "Photos", "Police report", "Will draft", "Lease", "Closing statement",
)
# (extension, content type)
DOCUMENT_FORMATS = (
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("jpg", "image/jpeg"),
    ("msg", "application/vnd.ms-outlook"),
    ("mp4", "video/mp4"),
    ("txt", "text/plain"),
)
TASK_NAMES = (
    "File motion", "Call client back", "Prepare discovery responses", "Review contract", "Send engagement letter",
    "Serve subpoena", "Calendar hearing", "Collect medical records", "Draft settlement demand", "Conflict check",
)
CALENDAR_SUMMARIES = (
    "Hearing", "Client consultation", "Deposition", "Mediation", "Filing deadline", "Team meeting",
    "Closing", "Trial prep", "Court conference",
)
RECURRENCE_RULES = (
    "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO",
    "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;COUNT=12",
    "FREQ=DAILY;INTERVAL=1;COUNT=5",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20271231T000000Z",
)
NOTE_SUBJECTS = (
    "Initial consultation", "Call with opposing counsel", "Strategy", "Intake notes", "Settlement discussion",
    "Court update", "Client preferences", "Billing dispute", "Follow-up",
)
COMMUNICATION_SUBJECTS = (
    "Re: documents requested", "Hearing date", "Voicemail", "Invoice question", "Settlement offer",
    "Signed agreement attached", "Scheduling", "Fwd: medical records",
)
ROLES = ("Administrator", "Billing", "Accounts")
TIME_ZONES = ("Pacific Time (US & Canada)", "Eastern Time (US & Canada)", "London", "Paris", "Tokyo")
# HTML tags Clio keeps in rich-text notes (API changelog)
RICH_TEXT_TAGS = ("a", "b", "br", "div", "em", "i", "li", "ol", "p", "s", "strong", "u", "ul")
