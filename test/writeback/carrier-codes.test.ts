import { describe, expect, it } from 'vitest';
import { AMAZON_CARRIER_CODES, amazonCarrierFor, shippingMethodFor } from '../../src/writeback/carrier-codes';

describe('amazonCarrierFor', () => {
  it.each([
    // ShipStation v1 carrier codes
    ['stamps_com', 'USPS'],
    ['usps', 'USPS'],
    ['endicia', 'USPS'],
    ['express_1', 'USPS'],
    ['ups', 'UPS'],
    ['ups_walleted', 'UPS'],
    ['fedex', 'FedEx'],
    ['fedex_walleted', 'FedEx'],
    ['fedex_uk', 'FedEx'],
    ['dhl_express', 'DHL'],
    ['dhl_express_worldwide', 'DHL'],
    ['dhl_express_walleted', 'DHL'],
    ['dhl_global_mail', 'DHL eCommerce'],
    ['dhl_ecommerce', 'DHL eCommerce'],
    ['ontrac', 'OnTrac'],
    ['lasership', 'Lasership'],
    ['amazon_buy_shipping', 'Amazon Shipping'],
    ['amazon_shipping_us', 'Amazon Shipping'],
    ['amazon_shipping_uk', 'Amazon Shipping'],
    ['canada_post', 'Canada Post'],
    ['royal_mail', 'Royal Mail'],
    ['australia_post', 'Australia Post'],
    ['purolator_ca', 'PUROLATOR'],
    ['asendia', 'Asendia'],
    ['newgistics', 'Newgistics'],
    ['firstmile', 'First Mile'],
    ['sendle', 'Sendle'],
    ['dpd', 'DPD'],
    ['rr_donnelley', 'RR Donnelley'],
    // case and separators do not matter
    ['STAMPS_COM', 'USPS'],
    ['  Ups_Walleted ', 'UPS'],
    ['ups-walleted', 'UPS'],
    // free text staff type on a fulfillment
    ['USPS', 'USPS'],
    ['usps priority', 'USPS'],
    ['U.S.P.S.', 'USPS'],
    ['United States Postal Service', 'USPS'],
    ['Stamps.com', 'USPS'],
    ['Fedex Ground', 'FedEx'],
    ['FEDEX', 'FedEx'],
    ['Fed Ex 2 Day', 'FedEx'],
    ['FedEx SmartPost', 'FedEx SmartPost'],
    ['UPS Ground', 'UPS'],
    ['UPS Mail Innovations', 'UPS Mail Innovations'],
    ['dhl', 'DHL'],
    ['DHL Express', 'DHL'],
    ['DHL eCommerce', 'DHL eCommerce'],
    ['dhl ecommerce', 'DHL eCommerce'],
    ['DHL Global Mail', 'DHL eCommerce'],
    ['OnTrac', 'OnTrac'],
    ['On Trac', 'OnTrac'],
    ['LaserShip', 'Lasership'],
    ['Amazon Shipping', 'Amazon Shipping'],
    ['Canada Post', 'Canada Post'],
    ['Purolator', 'PUROLATOR'],
    ['Royal Mail Tracked 24', 'Royal Mail'],
    ['AusPost', 'Australia Post'],
    ['Japan Post', 'Japan Post'],
    ['Yamato Transport', 'YamatoTransport'],
    ['Kuroneko Yamato', 'YamatoTransport'],
    ['Deutsche Post', 'Deutsche Post'],
    ['GLS', 'GLS'],
    ['Hermes', 'Hermes'],
    ['Estafeta', 'Estafeta'],
  ])('%s → %s', (code, expected) => {
    expect(amazonCarrierFor(code)).toEqual({ carrierCode: expected });
  });

  it.each([
    // apc is APC Postal Logistics; Amazon's APC is APC Overnight, another company
    ['apc', undefined, 'APC Postal Logistics'],
    ['globegistics', undefined, 'Globegistics'],
    ['access_worldwide', undefined, 'Access Worldwide'],
    ['imex', undefined, 'IMEX'],
    ['some_new_carrier', undefined, 'Some New Carrier'],
    ['Speedy Freight Co', undefined, 'Speedy Freight Co'],
    ['speedy freight', undefined, 'Speedy Freight'],
    ['some_new_carrier', 'Speedy Regional', 'Speedy Regional'],
    ['', undefined, 'Unknown carrier'],
    ['   ', 'Local courier', 'Local courier'],
    ['Amazon Logistics', undefined, 'Amazon Logistics'],
  ])('%j (name %j) → Other, named %j', (code, carrierName, expected) => {
    const opts = carrierName === undefined ? {} : { carrierName };
    expect(amazonCarrierFor(code, opts)).toEqual({ carrierCode: 'Other', carrierName: expected });
  });

  it('ignores a given carrier name when Amazon knows the carrier', () => {
    expect(amazonCarrierFor('ups_walleted', { carrierName: 'UPS by ShipStation' })).toEqual({ carrierCode: 'UPS' });
  });

  it('ignores a blank carrier name and falls back to the code in words', () => {
    expect(amazonCarrierFor('seko_ltl', { carrierName: '  ' })).toEqual({ carrierCode: 'Other', carrierName: 'SEKO Logistics' });
  });

  it('only ever returns codes from the Amazon list', () => {
    const inputs = ['stamps_com', 'ups', 'fedex', 'dhl_express', 'apc', 'whatever', 'Yodel', 'Post NL', 'sagawa express'];
    for (const code of inputs) {
      expect(AMAZON_CARRIER_CODES).toContain(amazonCarrierFor(code).carrierCode);
    }
  });
});

describe('shippingMethodFor', () => {
  it.each([
    ['usps_priority_mail', 'USPS Priority Mail'],
    ['usps_first_class_mail', 'USPS First Class Mail'],
    ['usps_ground_advantage', 'USPS Ground Advantage'],
    ['usps_priority_mail_international', 'USPS Priority Mail International'],
    ['ups_ground', 'UPS Ground'],
    ['ups_2nd_day_air_am', 'UPS 2nd Day Air A.M.'],
    ['ups_3_day_select', 'UPS 3 Day Select'],
    ['ups_surepost_1_lb_or_greater', 'UPS SurePost 1 lb or Greater'],
    ['fedex_2day', 'FedEx 2Day'],
    ['fedex_2day_am', 'FedEx 2Day A.M.'],
    ['fedex_ground', 'FedEx Ground'],
    ['fedex_home_delivery', 'FedEx Home Delivery'],
    ['dhl_express_worldwide', 'DHL Express Worldwide'],
    ['ontrac_ground', 'OnTrac Ground'],
    ['usps__priority_mail_', 'USPS Priority Mail'],
    ['priority', 'Priority'],
    // not a code: what a person typed stays as typed
    ['Priority Mail', 'Priority Mail'],
    ['  Ground  ', 'Ground'],
    ['UPS_GROUND', 'UPS_GROUND'],
  ])('%j → %j', (code, expected) => {
    expect(shippingMethodFor(code)).toBe(expected);
  });

  it.each([[undefined], [''], ['   ']])('%j → undefined', (code) => {
    expect(shippingMethodFor(code)).toBeUndefined();
  });
});
