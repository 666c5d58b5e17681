-- Business identifiers are unique per resource type where the IG says so: HealthcareService.identifier
-- (identifiant de l'offre, unique nationally), Location.identifier (idExterneSynchro, the key of the capacity
-- PATCH), Practitioner.identifier (idNat_PS) and PractitionerRole.identifier. Organizations are left out: a
-- cabinet imported from RPPS carries the FINESS number of the EG it is (linking them is left for later).
-- resource_identifier holds the identifiers of current versions only; the write path checks first and
-- answers 409, this index closes the race between two concurrent writes.
CREATE UNIQUE INDEX resource_identifier_unique ON resource_identifier (res_type, coalesce(system, ''), value)
  WHERE res_type IN ('HealthcareService', 'Location', 'Practitioner', 'PractitionerRole');
