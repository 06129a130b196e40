// The meetups page's map: a marker per meetup whose commune is known,
// read from the list (data-lat, data-lon), which works without this script.
(function () {
  "use strict";
  var map = document.getElementById("map");
  if (!map || typeof L === "undefined") {
    return;
  }
  var items = document.querySelectorAll("li[data-lat]");
  if (items.length === 0) {
    return;
  }
  map.hidden = false;
  var m = L.map(map);
  L.tileLayer(map.dataset.tiles, {
    maxZoom: 18,
    attribution: map.dataset.attribution
  }).addTo(m);
  var bounds = [];
  items.forEach(function (li) {
    var at = [parseFloat(li.dataset.lat), parseFloat(li.dataset.lon)];
    if (isNaN(at[0]) || isNaN(at[1])) {
      return;
    }
    bounds.push(at);
    // The title is set as text, never as HTML.
    var link = document.createElement("a");
    link.href = "#" + li.id;
    link.textContent = li.dataset.title;
    L.marker(at, { title: li.dataset.title }).addTo(m).bindPopup(link);
  });
  if (bounds.length === 1) {
    m.setView(bounds[0], 12);
  } else {
    m.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
  }
})();
