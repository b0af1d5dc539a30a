package dev.vigil.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MerchantRiskTest {

    @Test
    void shouldClassMerchantCategoriesByTheDocumentedTable() {
        assertEquals(MerchantRisk.NONE, MerchantRisk.riskClass(null), "no MCC");
        assertEquals(MerchantRisk.HIGH, MerchantRisk.riskClass("4829"), "money transfer");
        assertEquals(MerchantRisk.HIGH, MerchantRisk.riskClass("7995"), "gambling");
        assertEquals(MerchantRisk.MEDIUM, MerchantRisk.riskClass("5732"), "electronics");
        assertEquals(MerchantRisk.MEDIUM, MerchantRisk.riskClass("3005"), "an airline code");
        assertEquals(MerchantRisk.MEDIUM, MerchantRisk.riskClass("3999"), "the last lodging code");
        assertEquals(MerchantRisk.LOW, MerchantRisk.riskClass("3400"), "car rental, between the ranges");
        assertEquals(MerchantRisk.LOW, MerchantRisk.riskClass("5411"), "grocery");
    }
}
