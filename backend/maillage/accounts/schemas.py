"""API shapes of accounts and sign-in."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class MembershipOut(BaseModel):
    membership_id: int | None = Field(description="Absent pour un jeton d'API")
    structure_id: int
    structure_nom: str
    network_id: int
    role: str


class NetworkRef(BaseModel):
    id: int
    slug: str
    name: str
    territory: str


class UserOut(BaseModel):
    id: int
    email: str
    first_name: str
    last_name: str
    display_name: str


class SignInMethods(BaseModel):
    oidc: bool
    oidc_label: str
    email_link: bool = True
    demo: bool


class MeOut(BaseModel):
    user: UserOut | None
    memberships: list[MembershipOut]
    animator_of: list[int]
    animator_networks: list[NetworkRef] = Field(description="Réseaux que la personne anime")
    is_platform_admin: bool
    current_structure_id: int | None
    csrf_token: str
    methods: SignInMethods


class ProfileIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)


class LoginLinkIn(BaseModel):
    email: EmailStr = Field(description="Adresse électronique professionnelle")


class TokenIn(BaseModel):
    token: str = Field(min_length=10, max_length=200)


class Message(BaseModel):
    detail: str


class PersonaOut(BaseModel):
    key: str
    title: str
    name: str
    description: str
    structure: str | None


class DemoLoginIn(BaseModel):
    persona: str = Field(max_length=60)


class SwitchIn(BaseModel):
    structure_id: int


class ApiTokenIn(BaseModel):
    name: str = Field(min_length=2, max_length=100)


class ApiTokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="Le jeton, affiché une seule fois")
