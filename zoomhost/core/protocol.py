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

#: Every quoted line, one per line, for looking a rule's protocol line up.
PROTOCOL_TEXT: str = "\n".join(PARENT_LETTER_PROTOCOL + RISK_ASSESSMENT + PRIVACY_IMPACT)
