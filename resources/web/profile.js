// The profile form: kept on the device (localStorage) and read into what `join` sends.

import { DEFAULT_SPICE, GENDERS, MEET_VALUES, SPICE_NAMES } from "./vocab.js";

const KEY = "heartlink.profile";
const EVERYONE = "everyone";

function tags(text) {
  const out = [];
  for (const raw of String(text || "").split(",")) {
    const word = raw.trim().replace(/\s+/g, " ");
    if (word && !out.some((w) => w.toLowerCase() === word.toLowerCase())) out.push(word);
  }
  return out.slice(0, 20);
}

/** The form's content as the wire's profile object (empty fields left out). */
export function readForm(form) {
  const f = form.elements;
  const profile = { name: f.name.value.trim().replace(/\s+/g, " ") };
  const age = parseInt(f.age.value, 10);
  if (Number.isInteger(age)) profile.age = age;
  if (f.personality_type.value) profile.personality_type = f.personality_type.value;
  const hobbies = tags(f.hobbies.value);
  if (hobbies.length) profile.hobbies = hobbies;
  const interests = tags(f.interests.value);
  if (interests.length) profile.interests = interests;
  const goal = f.goal.value.trim().replace(/\s+/g, " ");
  if (goal) profile.goal = goal;
  const spice = parseInt(f.spice_level.value, 10);
  profile.spice_level = Number.isInteger(spice) ? spice : DEFAULT_SPICE;
  if (f.gender.value in GENDERS) profile.gender = f.gender.value;
  const meet = ticked(form);
  if (meet.length) profile.meet = meet; // none ticked: left out, which means everyone
  return profile;
}

/** The "I'd like to meet" boxes ticked, in the form's order: ["everyone"] or some groups. */
function ticked(form) {
  const boxes = [...form.querySelectorAll('input[name="meet"]')];
  const values = boxes.filter((b) => b.checked && b.value in MEET_VALUES).map((b) => b.value);
  return values.includes(EVERYONE) ? [EVERYONE] : values;
}

/** The contact this person would share with a mutual match: never part of the profile sent. */
export function sharedContact(form) {
  return form.elements.contact.value.trim().replace(/\s+/g, " ").slice(0, 200);
}

/** The raw field values, as typed (so a reload shows exactly what was there). */
function rawValues(form) {
  const f = form.elements;
  return {
    name: f.name.value,
    age: f.age.value,
    personality_type: f.personality_type.value,
    hobbies: f.hobbies.value,
    interests: f.interests.value,
    goal: f.goal.value,
    contact: f.contact.value,
    spice_level: f.spice_level.value || String(DEFAULT_SPICE),
    gender: f.gender.value,
    meet: ticked(form),
  };
}

export function saveForm(form) {
  try {
    localStorage.setItem(KEY, JSON.stringify(rawValues(form)));
  } catch {
    // storage can be full or disabled (private mode): the form still works, it is just not kept
  }
}

export function restoreForm(form) {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(KEY) || "null");
  } catch {
    saved = null;
  }
  if (!saved || typeof saved !== "object") return false;
  const f = form.elements;
  for (const key of ["name", "age", "hobbies", "interests", "goal", "contact"]) {
    if (typeof saved[key] === "string") f[key].value = saved[key];
  }
  if (["", "introvert", "ambivert", "extrovert"].includes(saved.personality_type)) {
    f.personality_type.value = saved.personality_type;
  }
  if (Object.keys(SPICE_NAMES).includes(saved.spice_level)) f.spice_level.value = saved.spice_level;
  if (saved.gender === "" || saved.gender in GENDERS) f.gender.value = saved.gender;
  if (Array.isArray(saved.meet)) {
    for (const box of form.querySelectorAll('input[name="meet"]')) box.checked = saved.meet.includes(box.value);
  }
  return true;
}

/** Keep the form saved as it is typed; "Everyone" and the groups exclude each other. */
export function keepForm(form) {
  form.addEventListener("change", (event) => {
    const box = event.target;
    if (box.name === "meet" && box.checked) {
      for (const other of form.querySelectorAll('input[name="meet"]')) {
        if ((box.value === EVERYONE) !== (other.value === EVERYONE)) other.checked = false;
      }
    }
  });
  form.addEventListener("input", () => saveForm(form));
  form.addEventListener("change", () => saveForm(form));
}

/** The words of the choices from the shared vocabulary: spice levels (and the default
 * chosen), genders, whom to meet. */
export function nameChoices(form) {
  for (const option of form.elements.gender.options) {
    if (option.value in GENDERS) option.textContent = GENDERS[option.value];
  }
  for (const box of form.querySelectorAll('input[name="meet"]')) {
    box.nextElementSibling.textContent = MEET_VALUES[box.value];
  }
  for (const [level, name] of Object.entries(SPICE_NAMES)) {
    const label = form.querySelector(`label[for="spice-${level}"] .spice-name`);
    if (label) label.textContent = name;
  }
  form.elements.spice_level.value = String(DEFAULT_SPICE);
}
