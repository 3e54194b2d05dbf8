"""Occupations checked for co-occurrence with gendered words: a short list written for this
audit (common jobs, several with well-known gender stereotypes), not from a published lexicon.
Words that are mostly not jobs in instruction data ("model", "assistant") are left out."""

OCCUPATIONS = tuple(
    "doctor nurse engineer teacher programmer developer scientist lawyer judge pilot secretary "
    "receptionist ceo manager chef cook cleaner housekeeper mechanic electrician plumber carpenter "
    "firefighter soldier police officer detective farmer librarian accountant banker cashier "
    "designer artist writer journalist editor professor surgeon dentist pharmacist therapist "
    "psychologist architect salesperson driver babysitter nanny dancer singer athlete "
    "coach president politician entrepreneur researcher student".split()
)
