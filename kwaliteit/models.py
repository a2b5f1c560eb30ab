"""Import every model so that Base.metadata is complete (Alembic, tests)."""
from evaluaties.answers.models import (  # noqa: F401
    Answer,
    EvaluationRequest,
    ParticipantLink,
    Response,
)
from evaluaties.questionnaires.models import (  # noqa: F401
    EvaluationSettings,
    Question,
    Questionnaire,
    QuestionnaireVersion,
)
from evaluaties.results.models import AnswerRollup, AnswerTally, LinkTally, ResponseTally  # noqa: F401
from evaluaties.transfer.models import ImportBatch, ImportDraft, ImportMapping  # noqa: F401
from kwaliteit.accounts.models import Invitation, LinkPurpose, Role, User, user_partnership  # noqa: F401
from kwaliteit.api.models import ApiToken  # noqa: F401
from kwaliteit.audit.models import AuditEntry  # noqa: F401
from kwaliteit.certification.models import (  # noqa: F401
    Attendance,
    Certificate,
    Mentorship,
    ProfessionalRegistration,
    RegisterPolicy,
    TrainerQualification,
)
from kwaliteit.cycles.models import (  # noqa: F401
    CycleCalendar,
    CycleGoal,
    GoodPractice,
    ImprovementAction,
    PartnershipCycle,
    ReviewCycle,
    SafeguardSummary,
)
from kwaliteit.db import Base  # noqa: F401
from kwaliteit.framework.models import Criterion, Framework, Safeguard  # noqa: F401
from kwaliteit.notifications.models import OutboxMessage, SchedulerLock, UserPreferences  # noqa: F401
from kwaliteit.registry.models import (  # noqa: F401
    Organisation,
    OrganisationKind,
    Partnership,
    PartnershipSettings,
    Person,
    PersonRole,
    PersonRoleLink,
)
from kwaliteit.security.models import RecoveryCode, ThrottleCounter  # noqa: F401
from kwaliteit.trainings.models import (  # noqa: F401
    Training,
    TrainingForm,
    TrainingKind,
    TrainingSafeguard,
    TrainingSession,
    session_trainer,
    training_organisation,
)
