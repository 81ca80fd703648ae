import type { components, paths } from "./schema";

type Schemas = components["schemas"];

export type AppConfig = Schemas["AppConfig"];
export type Coded = Schemas["Coded"];
export type FacetCount = Schemas["FacetCount"];
export type Network = Schemas["NetworkOut"];
export type ReferentialItem = Schemas["ReferentialItem"];
export type Referentials = Schemas["Referentials"];
export type SearchPage = Schemas["SearchPage"];
export type ServiceCard = Schemas["ServiceCard"];
export type ServiceDetail = Schemas["ServiceDetail"];
export type StructureDetail = Schemas["StructureDetail"];
export type StructureSummary = Schemas["StructureSummary"];

export type SearchParams = NonNullable<paths["/api/v1/services/search"]["get"]["parameters"]["query"]>;

export type ApiTokenCreated = Schemas["ApiTokenCreated"];
export type ApiToken = Schemas["ApiTokenOut"];
export type AuditEvent = Schemas["AuditEventOut"];
export type InvitationPreview = Schemas["InvitationPreview"];
export type JoinRequest = Schemas["JoinRequestOut"];
export type Mail = Schemas["MailOut"];
export type Me = Schemas["MeOut"];
export type Member = Schemas["MemberOut"];
export type Membership = Schemas["MembershipOut"];
export type MembershipRole = Schemas["MembershipRole"];
export type NetworkMember = Schemas["NetworkMemberOut"];
export type PendingInvitation = Schemas["PendingInvitationOut"];
export type PendingJoinRequest = Schemas["PendingJoinRequestOut"];
export type Persona = Schemas["PersonaOut"];
export type ServiceEdit = Schemas["ServiceEdit"];
export type ServiceManage = Schemas["ServiceManage"];
export type StructureEdit = Schemas["StructureEdit"];
export type StructureManage = Schemas["StructureManage"];
export type StructureWithoutAdmin = Schemas["StructureWithoutAdminOut"];
export type Team = Schemas["TeamOut"];
export type AdminNetwork = Schemas["AdminNetworkOut"];

export type ContactChannel = Schemas["ContactChannel"];
export type ContactPreference = Schemas["ContactPreference"];
export type DuplicateCandidate = Schemas["DuplicateCandidate"];
export type DuplicateConflict = Schemas["DuplicateConflict"];
export type FollowUp = Schemas["FollowUp"];
export type InboxPage = Schemas["InboxOut"];
export type InboxRow = Schemas["InboxRow"];
export type Outcome = Schemas["Outcome"];
export type Person = Schemas["PersonOut"];
export type PersonCreate = Schemas["PersonCreate"];
export type PersonListItem = Schemas["PersonListItem"];
export type Referral = Schemas["ReferralOut"];
export type ReferralVocabulary = Schemas["ReferralVocabulary"];
export type ReferralAction = Schemas["ReferralOut"]["allowed_actions"][number];
export type ReferralStatus = Schemas["ReferralStatus"];
export type RefusalReason = Schemas["RefusalReason"];
export type StallRule = Schemas["StallRule"];
export type StalledItem = Schemas["StalledItem"];
export type TimelineItem = Schemas["TimelineItem"];
