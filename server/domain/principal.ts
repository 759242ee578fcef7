/** Who is calling, as established from their session (never from the request body). */
import type { StaffRole } from '../../shared/roles.js';

/** A signed-in staff member. */
export interface StaffPrincipal {
  kind: 'staff';
  clinicId: string;
  staffId: string;
  role: StaffRole;
  /** The clinic requires two-factor sign-in and this person has none yet: only enrolment is allowed. */
  enrolmentOnly?: boolean;
}

/** A signed-in patient. */
export interface PatientPrincipal {
  kind: 'patient';
  clinicId: string;
  patientId: string;
}

/** Either kind of caller. */
export type Principal = StaffPrincipal | PatientPrincipal;

/** The server itself, acting for a clinic (jobs, sweeps). */
export interface SystemActor {
  kind: 'system';
  clinicId: string;
}

/** Whoever an audit row or an action is attributed to. */
export type Actor = Principal | SystemActor;
