package dev.vigil.event;

/** The customer risk rating assigned at onboarding. */
public enum KycRiskLevel { LOW, MEDIUM, HIGH }
