import { callApi, errorText, onCredentialsSubmit, showMessage } from './api.js';

const form = document.getElementById('signup-form');
const error = document.getElementById('form-error');

onCredentialsSubmit(form, async (credentials) => {
  showMessage(error, '');
  const signup = await callApi('POST', '/auth/signup', credentials);
  if (!signup.ok) {
    showMessage(error, errorText(signup));
    return;
  }
  // Signed up: log in with the same credentials, so the person lands on their account.
  const login = await callApi('POST', '/auth/login', credentials);
  if (login.ok) {
    window.location.assign('/account');
    return;
  }
  showMessage(error, `Your account was created, but logging in failed: ${errorText(login)}`);
});
