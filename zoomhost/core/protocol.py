"""The school's Zoom protocol, quoted word for word, so every rule can cite the line it enforces.

The source is the Dhoon / Laxey Federation's letter to parents, risk assessment and privacy
impact assessment (May 2020). Lines are copied verbatim (typographic quotes and dashes
included) with the document's list markers and table markup left out; a rule's
``protocol_line`` must be found, unchanged, in one of these lines.
"""

from __future__ import annotations

#: The protocol for meetings, as set out in the letter to parents.
PARENT_LETTER_PROTOCOL: tuple[str, ...] = (
    "Children / parents will only need a browser and do not need to download any applications.",
    "All meetings will be hosted by Mr Kelly or a member of the teaching staff in the Federation.",
    "Invitations will be sent to the children's parental email address to join a planned meeting.",
    "All invites to the meeting contain a website address (URL) and a password.",
    "To access the meeting the address is copied and pasted into a browser such as Chrome or Safari.",
    "The invited person will gain entrance to a waiting room and can only be admitted by the meeting organiser or teacher.",
    "At the end of the meeting the organiser or teacher will end the meeting for everyone.",
    "The teacher can control the mute buttons of each child during the meeting.",
    "All participants will be muted on arrival. The meeting host will be able to control who speaks and when.",
    'The meeting will be terminated as quickly as possible by the meeting host should it become apparent that it has been "zoombombed" or accessed by someone who should not have been present.',
    "Our initial meeting will be styled as a “Big School Assembly” and aims to bring together as many of our pupils as possible.",
)

#: Actions taken to reduce or control risk, from the risk assessment (sessions with pupils).
RISK_ASSESSMENT: tuple[str, ...] = (
    "Parents' permission requested and received.",
    "Parents can monitor session (and are actively encouraged to can sit in on the session.)",
    "All meetings scheduled by Dhoon/Laxey staff will use the waiting room feature that prevents users from entering the meeting without first being admitted by the host.",
    "Unique meeting ID used.",
    "Once everyone has joined the meeting or after 5 minutes of the session starting, we can 'Lock' the meeting so that nobody else can join.",
    "Each meeting hosted by a member of staff will be password protected. This password will be issued by email a short time before each scheduled meeting.",
    "First name of the child participating is correct before joining a session.",
    "All microphones will be muted on entry to the meeting.",
    "Pupils not to unmute unless asked to do so or the host does it for them.",
    "Each meeting will be scheduled for a specific time and will usually last no more than 30 minutes.",
    "If anything inappropriate occurs during a meeting, the meeting will be stopped immediately.",
    "Chat feature closed by host – this needs to be set on the app not desktop.",
    "No screen sharing allowed.",
    "Check once sessions starts that an adult is present in the room.",
    "Meetings scheduled will be advised in advance with set dates and times. Passwords also set and shared a short time before each session.",
    "Date and time of chat only shared in secure email to parents who have expressed permission. This will be recorded in the Laxey/Dhoon information management system known as Arbor.",
    "Link to chat only shared in secure email to parents who have given permission",
    "Staff set up meeting.",
    "Laxey / Dhoon Zoom account will be used linked to school's professional email address.",
)

#: Lines of the privacy impact assessment that a meeting's settings bear on.
PRIVACY_IMPACT: tuple[str, ...] = (
    "Join with video off",
    "Require meeting password",
    "Enable waiting room",
    "Do not allow screen sharing other than host",
    "Data will be deleted at the end of use and certainly in the August following a pupil’s leaving school, if not before.",
    "272 children (195 @ Laxey; 77 @ Dhoon)",
    "Links and passwords should not be shared widely.",
    "Data collected on a subject should be “adequate, relevant and limited to what is necessary in relation to the purposes for which they are processed”.",
)

#: What the letter promises families beyond its protocol bullets.
LETTER_COMMITMENTS: tuple[str, ...] = (
    "We won’t assume you are happy for your child to take part, and you will only receive an invite if we have your express consent.",
    "The invite will be sent out on the morning of the assembly, in advance of 10.30am, and it will be delivered to the parental email address that we hold on record.",
    "For this first meeting, children will be muted on entry, and I will control who can speak and when.",
    "there is an opportunity for families to gather at webcams so mums, dads and carers can be part of the experience too.",
)
#: The risk assessment's routines for families, against invitations from people posing as staff.
RISK_ASSESSMENT_ROUTINES: tuple[str, ...] = (
    "Routine & protocol established and shared with parents and children.",
    "Parents & children advised not accept any invitations to sessions at other times from people purporting to be a member of staff from Dhoon / Laxey Federation.",
)
#: The risk assessment's controls for meetings of staff only.
STAFF_MEETINGS: tuple[str, ...] = (
    "Staff to join conference in a private space out of ear shot of non-Federation staff",
    "All meetings scheduled by Executive Headteacher or staff will use the waiting room feature that prevents users from entering the meeting without first being admitted by the host.",
    "Unique meeting ID used Password issued to staff only & sent in advance.",
    "Routine & protocol established and shared with staff.",
    "Meetings scheduled will be advised in advance with set dates and times. Passwords also set and shared before session.",
)
#: The privacy impact assessment's information flows, solutions, actions and privacy-notice warnings.
PRIVACY_SOLUTIONS: tuple[str, ...] = (
    "Only with consent and agreement should people sign up to this service.",
    "Online learning sessions only – no sensitive information should be discussed.",
    "appropriate passwords, procedures and security will be required, but may not completely protect against this risk",
    "meetings should be password protected and the link sent out and not shared.",
    "Up to date software should be installed. Data subjects to be informed that this is a possibility.",
    "No sensitive personal data should be shared. Those signing up to the service should be made aware that personal information will be needed.",
    "people need to be informed that what they say / do may be monitored as routed through China and also info stored in US.",
    "Limited PII used by school – it is the service being used. Privacy notice to be updated with suitable information and warnings.",
    "Privacy shield in place.",
    "Advise that the most up to date software should be used – patches and updates installed.",
    "When personal data of a sensitive nature starts to be shared the meeting should be terminated and continued more securely, if appropriate – NB safeguarding responsibilities and also protecting staff.",
    "Privacy notice to be updated to highlight risks and issues",
    "Consent to be sought before using the service",
    "Limited information is needed by the person controlling the meeting although they are able to access more information than they need due to the set-up of Zoom as it stands.",
    "Some input may be needed to ensure meetings are password protected and to show how links are passed out.",
    "Sharing of data with Facebook – updated software should be used.",
    "Zoombombing – suitable passwords should be in place and links should not be shared.",
    "Encryption is not end to end - No personal information should be shared during sessions as the service is not properly encrypted.",
    "Non-protected meetings – Only password protected meetings should be held.",
)

#: The privacy impact assessment's aims, risks and questions that software can answer (or say it cannot).
PRIVACY_QUESTIONS: tuple[str, ...] = (
    "Implement Zoom based learning using break out sessions and meetings for online sessions including remote assemblies.",
    "Information routed through servers based in China – possible review of information.",
    "If you are relying on consent to process personal data, how will this be collected, and what will you do if it is withheld or withdrawn?",
    "Data holders should build rectification processes into data management / archiving activities for subject data.",
    "Are you procuring software that will allow you to delete information in line with your retention periods?",
)

#: Every quoted line, grouped as above; docs/protocol-traceability.md accounts for each one.
ALL_LINES: tuple[str, ...] = (
    PARENT_LETTER_PROTOCOL
    + LETTER_COMMITMENTS
    + RISK_ASSESSMENT
    + RISK_ASSESSMENT_ROUTINES
    + STAFF_MEETINGS
    + PRIVACY_IMPACT
    + PRIVACY_SOLUTIONS
    + PRIVACY_QUESTIONS
)

#: Every quoted line, one per line, for looking a rule's protocol line up.
PROTOCOL_TEXT: str = "\n".join(ALL_LINES)
