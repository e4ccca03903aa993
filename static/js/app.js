// Progressive enhancements only: every page works without this file (CSP forbids inline script).
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  var role = document.querySelector("select[name=role]");
  var kindBlock = document.querySelector("[data-show-when-role]");
  if (role && kindBlock) {
    var sync = function () { kindBlock.hidden = role.value !== kindBlock.getAttribute("data-show-when-role"); };
    role.addEventListener("change", sync);
    sync();
  }
  // Limit the city list to the chosen province (city codes start with the province code).
  var province = document.querySelector("select[name=province]");
  var city = document.querySelector("select[name=city]");
  if (province && city) {
    var filterCities = function () {
      Array.prototype.forEach.call(city.options, function (option) {
        option.hidden = option.value !== "" && province.value !== "" && option.value.indexOf(province.value) !== 0;
      });
      if (city.selectedOptions.length && city.selectedOptions[0].hidden) { city.value = ""; }
    };
    province.addEventListener("change", filterCities);
    filterCities();
  }
})();
