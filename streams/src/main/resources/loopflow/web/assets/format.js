'use strict';
/*
 * Numbers as people read them: 12.4 t, 3.1 MWh, 1,250 t, 0.34 t, 46 %. Quantities come in LoopFlow's canonical
 * units (t, MWh, m3); rates are fractions (0.46 -> "46 %"); null means "no denominator" and shows as a dash.
 */
window.LoopflowFormat = (function () {
  const UNIT_LABELS = { m3: 'm³' };

  function decimals(abs) {
    if (abs >= 100 || abs === 0) {
      return 0;
    }
    if (abs >= 1) {
      return 1;
    }
    return abs >= 0.01 ? 2 : 3;
  }

  /** A number with 2-3 significant figures and thousands separators. */
  function number(value) {
    if (value === null || value === undefined || !isFinite(value)) {
      return '–';
    }
    const d = decimals(Math.abs(value));
    return Number(value).toLocaleString('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d });
  }

  /** A count: "7,216". */
  function count(value) {
    if (value === null || value === undefined || !isFinite(value)) {
      return '–';
    }
    return Math.round(value).toLocaleString('en-GB');
  }

  /** An amount with its unit: "12.4 t". */
  function quantity(value, unit) {
    return number(value) + (unit ? ' ' + (UNIT_LABELS[unit] || unit) : '');
  }

  /** A rate (fraction) as a whole percentage: "46 %"; null as a dash. */
  function rate(value) {
    if (value === null || value === undefined || !isFinite(value)) {
      return '–';
    }
    return Math.round(value * 100) + ' %';
  }

  /** An instant as local date and time, without seconds unless asked. */
  function time(iso, withSeconds) {
    if (!iso) {
      return '–';
    }
    const d = new Date(iso);
    const opts = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
    if (withSeconds) {
      opts.second = '2-digit';
    }
    return d.toLocaleString('en-GB', opts);
  }

  /** A distance in km: "5.2 km". */
  function km(value) {
    return number(value) + ' km';
  }

  return { number: number, count: count, quantity: quantity, rate: rate, time: time, km: km };
})();
